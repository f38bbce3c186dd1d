import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === true || value === 'true' || value === '1';

const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Every environment variable the service reads. Validated once at start; the README's configuration
 * table documents each of them.
 */
export class Env {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/zgoda';

  /**
   * Issue 16, least privilege: the owner's URL, for migrations (and the post-erasure VACUUM, which PostgreSQL 15 lets
   * only a table's owner run). With it, DATABASE_URL is the runtime role's own login. Without it, DATABASE_URL is the
   * owner's, and the service's sessions act as the runtime role (`SET ROLE` at connect).
   */
  @IsOptional()
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' })
  DATABASE_MIGRATION_URL?: string;

  /** The role the service works as: SELECT and INSERT on the audit log and the other append-only tables, no more. */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_RUNTIME_ROLE must be a lower-case SQL identifier' })
  DATABASE_RUNTIME_ROLE = 'zgoda_runtime';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** BullMQ key prefix; a hash tag keeps a queue's keys in one Redis Cluster slot. */
  @IsString()
  REDIS_PREFIX = '{zgoda}';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** `api`, `worker` or `all` (one process runs both, for small installs). */
  @IsIn(['api', 'worker', 'all'])
  ZGODA_ROLE: 'api' | 'worker' | 'all' = 'all';

  @IsOptional()
  @IsString()
  @Matches(/^.{24,}$/, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY?: string;

  @IsString()
  @Matches(BASE64_32, { message: 'ENCRYPTION_KEY must be 32 bytes in base64' })
  ENCRYPTION_KEY: string;

  /** Older master keys still needed to unwrap data keys during a rotation: `version:base64,...`. */
  @IsOptional()
  @IsString()
  ENCRYPTION_KEYS_PREVIOUS?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  ENCRYPTION_KEY_VERSION = 1;

  /** Separate key for blind indexes so master-key rotation never forces re-indexing. */
  @IsOptional()
  @IsString()
  @Matches(BASE64_32, { message: 'BLIND_INDEX_KEY must be 32 bytes in base64' })
  BLIND_INDEX_KEY?: string;

  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @IsString()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @IsString()
  MAIL_FROM = 'Zgoda <no-reply@localhost>';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Apply pending migrations when the process starts. */
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 5 * 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  DB_POOL_SIZE = 20;

  /**
   * A session of the service left idle inside a transaction longer than this (ms) is ended by PostgreSQL, its
   * transaction rolled back; 0 turns it off. Such a transaction holds back the snapshot horizon that the change feed
   * reads up to (and VACUUM cleans up to): one leaked transaction would stall the feed of the whole cluster.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  WORKER_CONCURRENCY = 10;

  /** How often the outbox relay polls when no NOTIFY arrives (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_MS = 1000;

  /**
   * How often the worker's sequencer seals new audit entries into the Merkle tree (ms). An entry waits at most this
   * long, plus the longest transaction running in the cluster at the time (issue 16).
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  AUDIT_SEAL_INTERVAL_MS = 1000;

  /** How often the worker signs a checkpoint of the audit tree when it grew (seconds). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUDIT_CHECKPOINT_INTERVAL = 60;

  /**
   * Where every signed audit checkpoint is written (one JWS file per tree size), outside the database: keep it on
   * storage the database's administrators cannot rewrite (another machine, WORM storage, a backup), since a copy
   * there is what proves a later truncation or rewrite of the audit log.
   */
  @IsString()
  @IsNotEmpty()
  AUDIT_CHECKPOINT_DIR = 'var/audit-checkpoints';

  /**
   * How long a request owns the Idempotency-Key it claimed (ms): a retry within it waits for the first answer (at
   * most 10 s, then 409 idempotency_in_progress); after it, a claim that never answered is taken over. Longer than
   * any request runs.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  IDEMPOTENCY_LEASE_MS = 60_000;

  /**
   * Issue 25 item 8: how long an answered Idempotency-Key replays its answer (hours). After it the key is new
   * again and the worker deletes the record (hourly).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  IDEMPOTENCY_TTL_HOURS = 24;

  /**
   * Issue 25 item 3: erasures within this many seconds share one VACUUM of the tables that held their keys and
   * ciphertexts, run when the window closes; until then the old row versions stay in the files.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHRED_VACUUM_DELAY_SECONDS = 60;

  /**
   * Also rewrite `subject_keys` (VACUUM FULL) after erasures: a plain VACUUM leaves a deleted key's bytes in the
   * page's free space until overwritten. The rewrite locks the key table for its duration (seconds per million).
   */
  @Transform(toBool)
  @IsBoolean()
  SHRED_VACUUM_FULL = false;

  /**
   * Issue 25, restore drill: every erasure is appended here (subject id, time, kind; no personal data), outside the
   * database, so that `npm run restore:replay` can erase again what a restored backup brings back. Put it on storage
   * backed up apart from PostgreSQL, shared by every worker replica.
   */
  @IsString()
  @IsNotEmpty()
  ERASURE_JOURNAL_DIR = 'var/erasure-journal';

  /** How long finished outbox rows (their job done) are kept for inspection (days); dead ones stay until handled. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_DAYS = 7;

  /** When finished outbox rows older than OUTBOX_RETENTION_DAYS are deleted (cron, Europe/Warsaw), or `off`. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'OUTBOX_PURGE_CRON must be a cron pattern or off' })
  OUTBOX_PURGE_CRON = '55 3 * * *';

  /**
   * When every table's own retention runs (cron, Europe/Warsaw), or `off`: the delivery logs, spent request links,
   * retention runs' item lists and finished e-mail records below.
   */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'HOUSEKEEPING_CRON must be a cron pattern or off' })
  HOUSEKEEPING_CRON = '40 3 * * *';

  /** Days a consent-webhook delivery, an OpenGDPR call-back or a breach digest record is kept (a delivery log). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DELIVERY_LOG_RETENTION_DAYS = 30;

  /**
   * Days the per-subject item list of a finished retention run is kept (dry runs' previews included); the run, its
   * counts and the audit entries of every erasure stay.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RETENTION_RUN_ITEMS_DAYS = 90;

  /** Days the record of a sent or failed e-mail is kept (recipient and contents are cleared when it is sent). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  EMAIL_LOG_RETENTION_DAYS = 365;

  /** How often the reconciler looks for work PostgreSQL holds but no queue does (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  RECONCILE_INTERVAL_MS = 30_000;

  /** Work older than this with no job in Redis is re-driven (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  RECONCILE_GRACE_MS = 60_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PUBLIC_RATE_LIMIT_PER_MINUTE = 10;

  /** Serve /docs and /docs-json. Unset: on, except with NODE_ENV=production (the map of every route is
   * reconnaissance for an attacker; an operator who wants it public says so). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  DOCS_ENABLED?: boolean;

  /** Write logs to this file instead of stdout (tests scan their logs for personal data). */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;

  @IsString()
  CONTROLLER_NAME = 'Zgoda demo controller';

  /** Where consent records are kept, as consent receipts state it (ISO/IEC TS 27560 storageLocation). */
  @IsString()
  DATA_STORAGE_LOCATION = 'EEA (Poland)';

  /** Art. 33(3)(b) / 34(2): the DPO's name and contact go into breach notifications; the DPO gets the breach digest. */
  @IsString()
  DPO_NAME = 'Inspektor Ochrony Danych';

  @IsString()
  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'DPO_EMAIL must be an e-mail address' })
  DPO_EMAIL = 'iod@localhost';

  @IsIn(['pl', 'en'])
  DPO_LOCALE: 'pl' | 'en' = 'pl';

  /** Data-subject requests: how long a verification link works (Recital 64: short-lived). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  REQUEST_VERIFICATION_TTL_MINUTES = 30;

  /** Uses of one verification link (page views and posts) before it stops working. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REQUEST_VERIFICATION_MAX_ATTEMPTS = 5;

  /** A request nobody verified ends rejected (identity_not_verified) this long after receipt. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REQUEST_UNVERIFIED_EXPIRY_MINUTES = 3 * 24 * 60;

  /** LEGAL item 22: the subject's download link for an access package lives at most 7 days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7)
  REQUEST_DOWNLOAD_TTL_DAYS = 7;

  /** The status link shown after verification; outlives the longest deadline (3 months). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REQUEST_STATUS_LINK_TTL_DAYS = 120;

  /** Calls of one data system for one task before the task (and the request) is marked failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8)
  REQUEST_TASK_MAX_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  REQUEST_WEBHOOK_TIMEOUT_MS = 10_000;

  /** Open requests this close to their deadline are "at risk" in the digest and /metrics. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REQUEST_AT_RISK_DAYS = 7;

  /** How often the worker expires unverified requests and flags deadlines (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  REQUEST_SWEEP_INTERVAL_MS = 60_000;

  /** When the DPO gets the requests digest (cron, Europe/Warsaw). */
  @IsString()
  REQUEST_DIGEST_CRON = '0 7 * * *';

  /** OpenGDPR: the domain in X-OpenGDPR-Processor-Domain; defaults to PUBLIC_BASE_URL's host. */
  @IsOptional()
  @IsString()
  OPENGDPR_PROCESSOR_DOMAIN?: string;

  /** OpenGDPR: where controllers download the X.509 certificate of the signing key (discovery). */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  OPENGDPR_CERTIFICATE_URL?: string;

  /** When the retention sweep runs (cron, Europe/Warsaw), or `off` for no scheduled sweep. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'RETENTION_SWEEP_CRON must be a cron pattern or off' })
  RETENTION_SWEEP_CRON = '0 3 * * *';

  /** Subjects a retention run examines per batch (one job, one audit entry). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  RETENTION_BATCH_SIZE = 1000;

  /** When consent grants past their validity period are recorded as expired (cron, Europe/Warsaw), or `off`. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'RETENTION_CONSENT_EXPIRY_CRON must be a cron pattern or off' })
  RETENTION_CONSENT_EXPIRY_CRON = '*/5 * * * *';

  /**
   * Outgoing webhooks (consent subscriptions, data systems, OpenGDPR call-backs) may target loopback,
   * private, link-local and other internal addresses only when this is true (SSRF); tests and single-host
   * installs whose receivers run beside Zgoda set it.
   */
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  /** TrueType fonts for PDF documents (the UODO notification); they must cover Polish letters. */
  @IsString()
  PDF_FONT_PATH = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

  @IsString()
  PDF_FONT_BOLD_PATH = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

  /** Verification e-mails that may be sent again for one request, and the pause between two of them. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  REQUEST_VERIFICATION_RESENDS = 3;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  REQUEST_VERIFICATION_RESEND_INTERVAL_SECONDS = 60;

  /** When result packages older than REQUEST_DOWNLOAD_TTL_DAYS are purged (cron, Europe/Warsaw), or `off`. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'REQUEST_RESULT_PURGE_CRON must be a cron pattern or off' })
  REQUEST_RESULT_PURGE_CRON = '30 3 * * *';

  /** Issue 14 item 3: how long recorded consent decisions are kept (days; default three years). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DECISION_LOG_RETENTION_DAYS = 1095;

  /** When recorded decisions older than DECISION_LOG_RETENTION_DAYS are deleted (cron, Europe/Warsaw), or `off`. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'DECISION_LOG_PURGE_CRON must be a cron pattern or off' })
  DECISION_LOG_PURGE_CRON = '45 3 * * *';

  /** Issue 14 item 2: how long the change feed keeps changes (days); an older cursor gets 410 cursor_expired. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CHANGES_RETENTION_DAYS = 90;

  /** When changes older than CHANGES_RETENTION_DAYS are deleted (cron, Europe/Warsaw), or `off`. */
  @IsString()
  @Matches(/^(off|\S+( \S+){4,5})$/, { message: 'CHANGES_PURGE_CRON must be a cron pattern or off' })
  CHANGES_PURGE_CRON = '50 3 * * *';

  /** How often the worker delivers change-feed webhooks to subscriptions with `types` (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CHANGES_WEBHOOK_INTERVAL_MS = 5000;

  /** Issue 14 item 1: the largest import file accepted (bytes; default 2 GiB); larger answers 413 file_too_large. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  IMPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  /** Staff passwords (NIST SP 800-63B 5.1.1.2): minimum length in characters; at least 64 are always allowed. */
  @Transform(toInt)
  @IsInt()
  @Min(8)
  @Max(64)
  STAFF_PASSWORD_MIN_LENGTH = 12;

  /** Optional forced change after this many days; 0 (the default, as NIST advises) never forces one. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STAFF_PASSWORD_MAX_AGE_DAYS = 0;

  /** Extra blocklist (one password per line), e.g. a breach corpus, on top of the shipped list. */
  @IsString()
  STAFF_PASSWORD_BLOCKLIST_FILE = '';

  /** scrypt cost as log2(N) for new hashes (OWASP: 17, i.e. 128 MiB); stored with each hash. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(20)
  STAFF_SCRYPT_LOG_N = 17;

  /** Failed logins (password or TOTP code) for one login name before it is locked. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  STAFF_LOCKOUT_THRESHOLD = 5;

  /** How long a lock lasts, and the window in which failures are counted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  STAFF_LOCKOUT_MINUTES = 15;

  /** A console session ends after this long without a request. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  STAFF_SESSION_IDLE_MINUTES = 30;

  /** ...and this long after login, whatever the activity. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  STAFF_SESSION_ABSOLUTE_HOURS = 12;

  /** Web pages: the company name in the header and footer; defaults to CONTROLLER_NAME. */
  @IsOptional()
  @IsString()
  WEB_COMPANY_NAME?: string;

  /** Web pages: the logo in the header (same origin, data: or an http(s) URL allowed by the pages' CSP). */
  @IsOptional()
  @IsString()
  @Matches(/^(https?:\/\/|\/|data:image\/)/, {
    message: 'WEB_LOGO_URL must be an http(s) URL, a path or a data:image URL',
  })
  WEB_LOGO_URL?: string;

  /** Tests only (NODE_ENV=test): the instant the service's clock starts from, e.g. 2030-01-01T00:00:00Z. */
  @IsOptional()
  @IsISO8601({ strict: true })
  ZGODA_FAKE_NOW?: string;
}

export type EnvInput = Partial<Record<keyof Env, string | number | boolean | undefined>>;

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Validates the raw environment; the error lists every bad variable at once. */
export function validateEnv(raw: EnvInput): Env {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(Env, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
  if (errors.length) {
    throw new InvalidConfigError(errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`));
  }
  env.DOCS_ENABLED ??= env.NODE_ENV !== 'production';
  return env;
}

export function pickEnv(source: NodeJS.ProcessEnv): EnvInput {
  const keys = Object.keys(new Env()) as (keyof Env)[];
  const out: EnvInput = {};
  for (const k of [
    ...keys,
    'ENCRYPTION_KEY',
    'ADMIN_API_KEY',
    'DATABASE_MIGRATION_URL',
    'ENCRYPTION_KEYS_PREVIOUS',
    'BLIND_INDEX_KEY',
    'LOG_FILE',
    'OPENGDPR_PROCESSOR_DOMAIN',
    'OPENGDPR_CERTIFICATE_URL',
    'ZGODA_FAKE_NOW',
    'WEB_COMPANY_NAME',
    'WEB_LOGO_URL',
    'DOCS_ENABLED',
  ] as (keyof Env)[]) {
    if (source[k] !== undefined) out[k] = source[k];
  }
  return out;
}
