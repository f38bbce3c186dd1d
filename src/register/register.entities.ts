import { ControllerSettings } from './controller-settings.entity';
import { RegisterActivityDetails } from './register-activity-details.entity';
import { RegisterVersion } from './register-version.entity';

/** The tables this module owns (docs/ARCHITECTURE.md). */
export const REGISTER_ENTITIES = [ControllerSettings, RegisterActivityDetails, RegisterVersion];
