import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit';
import { ProblemError } from '../../common/problem/problem.error';
import { Env } from '../../config/env';
import { RequestVault } from '../request-vault.service';
import { RequestsRepository } from '../requests.repository';

/** Handing out what a request produced: every download is audited (LEGAL item 22). */
@Injectable()
export class RequestOutputs {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RequestsRepository,
    private readonly vault: RequestVault,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  async download(requestId: string, by: 'staff' | 'subject' | 'controller') {
    const r = await this.repo.find(requestId);
    if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
    const result = await this.repo.findResult(requestId);
    if (!result) throw new ProblemError('result_not_available', 'This request has no package (yet).');
    const content = this.vault.openBinary(requestId, 'result', result.contentSealed);
    await this.dataSource.transaction((m) =>
      this.audit.append(m, {
        action: 'request.result_downloaded',
        targetType: 'request',
        targetId: requestId,
        subjectId: r.subjectId,
        data: { by, sha256: result.sha256, size: result.size },
      }),
    );
    return { content, contentType: result.contentType, fileName: result.fileName };
  }

  async certificate(requestId: string) {
    const r = await this.repo.find(requestId);
    if (!r) throw new ProblemError('unknown_request', 'No request with this id.');
    if (!r.certificate) throw new ProblemError('result_not_available', 'This request has no erasure certificate.');
    const header = decodeProtectedHeader(r.certificate);
    const payload = JSON.parse(Buffer.from(r.certificate.split('.')[1], 'base64url').toString('utf8')) as unknown;
    return {
      certificate: r.certificate,
      payload,
      kid: header.kid,
      alg: header.alg,
      jwksUrl: `${this.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/requests/jwks.json`,
    };
  }
}
