import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IDENTITY_FORMATS, IDENTITY_TYPES, OPENGDPR_TYPES } from './opengdpr-body';

/*
 * The OpenGDPR bodies (specification 0.1: sections 6-9) for the OpenAPI document (issue 24). The create route reads
 * its raw body (the signature covers the exact bytes), so OpenGdprCreateBody documents it; parseOpenGdprBody
 * validates it.
 */

export class OpenGdprIdentity {
  @ApiProperty({ enum: IDENTITY_TYPES, description: 'Zgoda looks up `email` and `controller_customer_id`' })
  identity_type: string;

  @ApiProperty()
  identity_value: string;

  @ApiProperty({ enum: IDENTITY_FORMATS, description: 'Zgoda supports `raw` only' })
  identity_format: string;
}

export class OpenGdprCreateBody {
  @ApiProperty({ format: 'uuid', description: 'UUID v4, chosen by the controller' })
  subject_request_id: string;

  @ApiProperty({ enum: OPENGDPR_TYPES })
  subject_request_type: string;

  @ApiProperty({ format: 'date-time' })
  submitted_time: string;

  @ApiProperty({ type: [OpenGdprIdentity] })
  subject_identities: OpenGdprIdentity[];

  @ApiProperty({ example: '0.1' })
  api_version: string;

  @ApiPropertyOptional({ type: [String], description: 'Public HTTPS addresses, told of every status change' })
  status_callback_urls?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  extensions?: Record<string, unknown>;
}

export class OpenGdprCreated {
  @ApiProperty({ format: 'uuid', description: 'The API key that filed it' })
  controller_id: string;

  @ApiProperty({ format: 'date-time' })
  expected_completion_time: string;

  @ApiProperty({ format: 'date-time' })
  received_time: string;

  @ApiProperty({ description: 'The request as received, base64' })
  encoded_request: string;

  @ApiProperty({ format: 'uuid' })
  subject_request_id: string;
}

export class OpenGdprZgodaStatus {
  @ApiProperty({ description: 'Zgoda’s own request status' })
  status: string;

  @ApiProperty({ type: String, nullable: true })
  resolution: string | null;

  @ApiProperty({ type: String, nullable: true })
  resolution_code: string | null;
}

@ApiExtraModels(OpenGdprZgodaStatus)
export class OpenGdprStatusResponse {
  @ApiProperty({ format: 'uuid' })
  controller_id: string;

  @ApiProperty({ format: 'date-time' })
  expected_completion_time: string;

  @ApiProperty({ format: 'uuid' })
  subject_request_id: string;

  @ApiProperty({ enum: ['pending', 'in_progress', 'completed', 'cancelled'] })
  request_status: string;

  @ApiProperty()
  api_version: string;

  @ApiPropertyOptional({ description: 'An access or portability package to download' })
  results_url?: string;

  @ApiPropertyOptional({ type: 'integer' })
  results_count?: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(OpenGdprZgodaStatus) },
    description: 'Keyed by this processor’s domain',
  })
  extensions: Record<string, OpenGdprZgodaStatus>;
}

export class OpenGdprCancelled {
  @ApiProperty({ format: 'uuid' })
  controller_id: string;

  @ApiProperty({ format: 'uuid' })
  subject_request_id: string;

  @ApiProperty({ format: 'date-time' })
  received_time: string;

  @ApiProperty({ description: 'Empty: a cancellation has no body' })
  encoded_request: string;

  @ApiProperty()
  api_version: string;
}

export class OpenGdprSupportedIdentity {
  @ApiProperty()
  identity_type: string;

  @ApiProperty()
  identity_format: string;
}

export class OpenGdprDiscovery {
  @ApiProperty()
  api_version: string;

  @ApiProperty({ type: [OpenGdprSupportedIdentity] })
  supported_identities: OpenGdprSupportedIdentity[];

  @ApiProperty({ enum: OPENGDPR_TYPES, isArray: true })
  supported_subject_request_types: string[];

  @ApiProperty({ description: 'Where the key that verifies X-OpenGDPR-Signature is' })
  processor_certificate: string;
}
