import { Injectable } from '@nestjs/common';
import { sign } from 'node:crypto';
import { Env } from '../../config/env';
import { SigningKeys } from '../outputs/signing-keys.service';

/** RSA-SHA256 over the exact bytes sent, base64 (OpenGDPR 4.2, 8.3, 8.6), and the headers that carry it. */
@Injectable()
export class OpenGdprSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly env: Env,
  ) {}

  get domain(): string {
    return this.env.OPENGDPR_PROCESSOR_DOMAIN ?? new URL(this.env.PUBLIC_BASE_URL).host;
  }

  async sign(body: string): Promise<string> {
    const key = await this.keys.active('opengdpr');
    return sign('sha256', Buffer.from(body, 'utf8'), key.privateKey).toString('base64');
  }

  /** The same signature under the OpenGDPR and the OpenDSR (v2) header names. */
  async headers(body: string): Promise<Record<string, string>> {
    const signature = await this.sign(body);
    return {
      'X-OpenGDPR-Processor-Domain': this.domain,
      'X-OpenGDPR-Signature': signature,
      'X-OpenDSR-Processor-Domain': this.domain,
      'X-OpenDSR-Signature': signature,
    };
  }

  async publicKeyPem(): Promise<string> {
    return (await this.keys.active('opengdpr')).publicKeyPem;
  }
}
