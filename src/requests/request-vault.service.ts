import { Injectable } from '@nestjs/common';
import { CryptoService } from '../common/crypto/crypto.service';

export interface SubjectIdentifier {
  kind: string;
  value: string;
  system?: string;
  /** OpenGDPR identity format (`raw`, `sha256`, ...) when a controller sent it that way. */
  format?: string;
}

export interface RequestDetails {
  details?: string;
  changes?: Record<string, string | null>;
  purposes?: string[];
  /** OpenGDPR: the identities the controller sent, passed on to the systems when Zgoda knows nobody. */
  identities?: SubjectIdentifier[];
}

export interface TaskSubject {
  /** Zgoda's subject id; null when only a controller's identities name the person. */
  id: string | null;
  identifiers: SubjectIdentifier[];
}

/**
 * Everything personal the requests module keeps is sealed with CryptoService, bound by associated data
 * to its row and column, so a blob copied to another row does not open (LEGAL item 31).
 */
@Injectable()
export class RequestVault {
  constructor(private readonly crypto: CryptoService) {}

  sealText(requestId: string, column: string, text: string): Buffer {
    return this.crypto.seal(text, `requests:${requestId}:${column}`);
  }

  openText(requestId: string, column: string, blob: Buffer | null): string | null {
    return blob ? this.crypto.open(blob, `requests:${requestId}:${column}`) : null;
  }

  sealJson(requestId: string, column: string, value: unknown): Buffer {
    return this.sealText(requestId, column, JSON.stringify(value));
  }

  openJson<T>(requestId: string, column: string, blob: Buffer | null): T | null {
    const text = this.openText(requestId, column, blob);
    return text === null ? null : (JSON.parse(text) as T);
  }

  sealTask(taskId: string, column: 'subject' | 'result', value: unknown): Buffer {
    return this.crypto.seal(JSON.stringify(value), `request_tasks:${taskId}:${column}`);
  }

  openTask<T>(taskId: string, column: 'subject' | 'result', blob: Buffer | null): T | null {
    return blob ? (JSON.parse(this.crypto.open(blob, `request_tasks:${taskId}:${column}`)) as T) : null;
  }

  sealBinary(requestId: string, column: string, content: Buffer): Buffer {
    return this.sealText(requestId, column, content.toString('base64'));
  }

  openBinary(requestId: string, column: string, blob: Buffer): Buffer {
    return Buffer.from(this.openText(requestId, column, blob)!, 'base64');
  }
}
