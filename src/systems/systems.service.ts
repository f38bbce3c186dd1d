import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit';
import { CryptoService } from '../common/crypto/crypto.service';
import { OutboundHttp, OutboundResult } from '../common/http/outbound-http';
import { outboundUrlRefusal } from '../common/http/outbound-url';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { KeyRotationService } from '../subjects';
import { assertValidSystem, assertZgodaSystemChange } from './system-rules';
import { previousSecretAad, secretAad, SystemWebhooks } from './system-webhooks.service';
import { System } from './system.entity';
import { CreateSystemDto, ProcessorDto, UpdateSystemDto } from './systems.dto';
import { SystemsRepository } from './systems.repository';

const processorColumns = (p: ProcessorDto | null | undefined): Partial<System> =>
  p === undefined
    ? {}
    : {
        processorName: p?.name ?? null,
        processorContact: p?.contact ?? null,
        processorCountry: p?.country ?? null,
        transferSafeguards: p?.transferSafeguards ?? null,
      };

const WEBHOOK_URL_REFUSAL: Record<'scheme' | 'credentials' | 'address', string> = {
  scheme: 'The webhook URL must use http or https.',
  credentials: 'The webhook URL must not carry a user name or password.',
  address: 'The webhook URL points to a loopback, private, link-local, multicast or reserved address.',
};

/** The registry of data systems (PRODUCT.md 5). Webhook secrets are sealed at rest and never returned. */
@Injectable()
export class SystemsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SystemsRepository,
    private readonly webhooks: SystemWebhooks,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly rotation: KeyRotationService,
    private readonly env: Env,
    private readonly http: OutboundHttp,
  ) {}

  onModuleInit(): void {
    this.rotation.register('systems.webhook_secrets', () => this.webhooks.reseal());
  }

  async create(dto: CreateSystemDto): Promise<System> {
    const id = randomUUID();
    const row: Partial<System> = {
      id,
      key: dto.key,
      name: dto.name,
      kind: dto.kind,
      description: dto.description ?? null,
      dataCategories: dto.dataCategories ?? [],
      purposes: dto.purposes ?? [],
      ...processorColumns(dto.processor),
      webhookUrl: dto.webhook?.url ?? null,
      webhookSecret: dto.webhook ? this.crypto.seal(dto.webhook.secret, secretAad(id)) : null,
      active: true,
    };
    this.validate(row);
    if (dto.webhook) await this.assertWebhookUrl(dto.webhook.url);
    await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.insert(m, row))) {
        throw new ProblemError('system_exists', 'A system with this key already exists.');
      }
      await this.audit.append(m, {
        action: 'system.created',
        targetType: 'system',
        targetId: id,
        data: { key: dto.key, kind: dto.kind },
      });
    });
    await this.webhooks.refresh();
    return this.get(id);
  }

  async update(keyOrId: string, dto: UpdateSystemDto): Promise<System> {
    // Before the transaction: a DNS lookup must not hold the system's row lock.
    if (dto.webhook?.url !== undefined) await this.assertWebhookUrl(dto.webhook.url);
    const id = await this.dataSource.transaction(async (m) => {
      const current = await this.repo.findByKeyOrId(keyOrId, m, true);
      if (!current) throw new ProblemError('unknown_system', 'No system with this key.');
      assertZgodaSystemChange(current.key, dto);
      const changes: Partial<System> = {
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.kind !== undefined ? { kind: dto.kind } : {}),
        ...(dto.description !== undefined ? { description: dto.description } : {}),
        ...(dto.dataCategories !== undefined ? { dataCategories: dto.dataCategories } : {}),
        ...(dto.purposes !== undefined ? { purposes: dto.purposes } : {}),
        ...(dto.active !== undefined ? { active: dto.active } : {}),
        ...processorColumns(dto.processor),
        ...this.webhookChanges(current, dto.webhook),
      };
      this.validate({ ...current, ...changes });
      const fields = Object.keys(dto).filter((k) => dto[k as keyof UpdateSystemDto] !== undefined);
      if (!fields.length) return current.id;
      await this.repo.update(m, current.id, changes);
      await this.audit.append(m, {
        action: 'system.updated',
        targetType: 'system',
        targetId: current.id,
        data: { key: current.key, fields, secretChanged: !!dto.webhook?.secret },
      });
      return current.id;
    });
    await this.webhooks.refresh();
    return this.get(id);
  }

  async get(keyOrId: string): Promise<System> {
    const row = await this.repo.findByKeyOrId(keyOrId);
    if (!row) throw new ProblemError('unknown_system', 'No system with this key.');
    return row;
  }

  list(afterKey: string | undefined, limit: number): Promise<System[]> {
    return this.repo.list(afterKey, limit);
  }

  listActive(): Promise<System[]> {
    return this.repo.listActive();
  }

  findByKey(key: string): Promise<System | null> {
    return this.repo.findByKey(key);
  }

  /** `x-zgoda-signature` for an outgoing call; throws `unknown_system` for a system without a webhook. */
  signPayload(systemId: string, body: string): string {
    const signature = this.webhooks.sign(systemId, body);
    if (!signature) throw new ProblemError('unknown_system', 'This system has no webhook.');
    return signature;
  }

  /** Whether a callback's `x-zgoda-signature` is valid and fresh (5 minutes) for this system. */
  verifyCallback(systemId: string, header: string | undefined, body: string): boolean {
    return this.webhooks.verify(systemId, header, body);
  }

  getWebhook(systemId: string): { url: string; secret: string } | null {
    return this.webhooks.get(systemId);
  }

  /**
   * One signed POST of a JSON body to the system's webhook (request tasks, retention notices), through the one
   * outbound client (address checked where it connects, no redirects, limits), with `Idempotency-Key` so the
   * receiver acts once however often at-least-once delivery calls. The caller reads the answer.
   */
  async postToWebhook(
    systemId: string,
    body: string,
    idempotencyKey: string,
  ): Promise<OutboundResult | { failure: 'system_has_no_webhook'; permanent: true }> {
    const hook = this.webhooks.get(systemId);
    if (!hook) return { failure: 'system_has_no_webhook', permanent: true };
    return this.http.postJson(hook.url, body, {
      'x-zgoda-signature': this.signPayload(systemId, body),
      'idempotency-key': idempotencyKey,
    });
  }

  /**
   * SSRF: Zgoda POSTs subjects' identifiers to this URL, so it may not lead into the installation's own
   * network (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS), carry credentials or use another scheme: 422
   * `webhook_url_not_allowed` naming the field and the reason, never the URL. A name that does not resolve
   * yet is accepted (a system is often registered before its DNS goes live): the caller checks the URL
   * again before every call (postToWebhook), so it can never reach an internal address later either.
   */
  private async assertWebhookUrl(url: string): Promise<void> {
    const reason = await outboundUrlRefusal(url, this.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    if (!reason || reason === 'unresolvable') return;
    throw new ProblemError('webhook_url_not_allowed', WEBHOOK_URL_REFUSAL[reason], { field: 'webhook.url', reason });
  }

  private webhookChanges(current: System, patch: UpdateSystemDto['webhook']): Partial<System> {
    if (patch === undefined) return {};
    if (patch === null) {
      return { webhookUrl: null, webhookSecret: null, webhookPreviousSecret: null, webhookSecretRotatedAt: null };
    }
    const out: Partial<System> = {};
    if (patch.url !== undefined) out.webhookUrl = patch.url;
    if (patch.secret !== undefined) {
      out.webhookSecret = this.crypto.seal(patch.secret, secretAad(current.id));
      // Callbacks for tasks sent before the change are still signed with the old secret.
      if (current.webhookSecret) {
        const old = this.crypto.open(current.webhookSecret, secretAad(current.id));
        out.webhookPreviousSecret = this.crypto.seal(old, previousSecretAad(current.id));
        out.webhookSecretRotatedAt = new Date();
      }
    }
    return out;
  }

  private validate(s: Partial<System>): void {
    assertValidSystem(
      {
        key: s.key!,
        kind: s.kind!,
        active: s.active ?? true,
        webhookUrl: s.webhookUrl ?? null,
        hasSecret: !!s.webhookSecret,
        processorCountry: s.processorCountry ?? null,
        transferSafeguards: s.transferSafeguards ?? null,
      },
      this.env.NODE_ENV === 'production',
    );
  }
}
