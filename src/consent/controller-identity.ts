import type { EntityManager } from 'typeorm';

/**
 * Who the controller is, for consent receipts (Kantara `piiControllers`, issue 13 item 13): the name, postal
 * address and contact from the controller settings the DPO keeps (PUT /v1/register/controller), not constants.
 * The register module provides it under this token (`{ provide: CONTROLLER_IDENTITY, useExisting: ... }`); the
 * consent module does not depend on the register. Without a provider, the environment's CONTROLLER_NAME stands.
 */
export const CONTROLLER_IDENTITY = Symbol('CONTROLLER_IDENTITY');

export interface ControllerIdentity {
  name: string;
  address: string | null;
  contact: string | null;
}

export interface ControllerIdentitySource {
  /** With `m`, read on that transaction's connection: a writer holding one must not wait for a second. */
  controllerIdentity(m?: EntityManager): Promise<ControllerIdentity>;
}
