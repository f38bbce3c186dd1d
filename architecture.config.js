// The module map of issue 12, in one place: which module owns which tables and which modules it may use.
// `.dependency-cruiser.js` enforces the `uses` edges on every TypeScript import, `scripts/architecture.js`
// checks table ownership (entities and SQL text) and keeps the table in docs/ARCHITECTURE.md equal to this file.
// Both run in `npm run lint`.
'use strict';

module.exports = {
  /** Importable by every module, file by file: no state, no tables, no module of their own to go through. */
  kernel: ['common', 'config'],
  /** Entry points compose the modules: they may import any module's index. */
  entryPoints: ['src/main.ts', 'src/worker.ts', 'src/bootstrap.ts', 'src/app.module.ts', 'src/cli/'],
  modules: {
    database: {
      what: 'connection options, migrations, the entity list for the CLI',
      tables: ['schema_migrations'],
      uses: [],
    },
    jobs: { what: 'queue catalogue, typed payloads, schedule registry, process role', tables: [], uses: [] },
    outbox: { what: 'transactional outbox, relay to BullMQ, reconciler', tables: ['outbox'], uses: ['jobs'] },
    audit: {
      what: 'append-only audit log, its Merkle tree, sequencer and signed checkpoints',
      tables: ['audit_log', 'audit_leaves', 'audit_tree', 'audit_signing_keys', 'audit_checkpoints'],
      uses: ['metrics'],
    },
    idempotency: { what: 'Idempotency-Key replay store', tables: ['idempotency_keys'], uses: ['jobs'] },
    auth: { what: 'API keys, scopes guard', tables: ['api_keys'], uses: ['audit', 'idempotency'] },
    metrics: { what: 'Prometheus metrics', tables: [], uses: ['jobs', 'outbox'] },
    health: { what: 'liveness, readiness, /metrics route', tables: [], uses: ['metrics'] },
    worker: {
      what: 'the worker role: consumers, dispatcher, the queue dashboard',
      tables: [],
      uses: ['audit', 'auth', 'jobs', 'outbox'],
    },
    rendering: {
      what: 'the one template environment (helpers, partials), the message catalogue (ICU), Warsaw dates',
      tables: [],
      uses: [],
    },
    notifications: {
      what: 'outgoing e-mail, its templates',
      tables: ['outgoing_emails'],
      uses: ['jobs', 'outbox', 'rendering'],
    },
    web: {
      what: 'shared page layout, its strings, CSRF, message pages',
      tables: [],
      uses: ['rendering'],
    },
    subjects: {
      what: 'data subjects, identifiers, keys, holds, suppression; crypto-shredding',
      tables: [
        'subjects',
        'subject_identifiers',
        'subject_keys',
        'subject_holds',
        'subject_suppressions',
        'subject_entries',
      ],
      uses: ['audit', 'idempotency', 'jobs', 'notifications', 'outbox'],
    },
    systems: {
      what: 'data systems and their webhooks',
      tables: ['systems'],
      uses: ['audit', 'idempotency', 'subjects'],
    },
    consent: {
      what: 'purposes, texts, consent events and state, decisions, receipts, webhooks',
      tables: [
        'purposes',
        'consent_texts',
        'consent_events',
        'consent_evidence',
        'consent_state',
        'consent_subscriptions',
        'consent_webhook_deliveries',
        'receipt_signing_keys',
        'consent_decisions',
        'consent_decision_results',
        'consent_changes',
        'decision_rows',
        'decision_rows_built',
        'consent_imports',
        'consent_import_chunks',
        'consent_import_errors',
      ],
      uses: ['audit', 'idempotency', 'jobs', 'notifications', 'outbox', 'rendering', 'subjects', 'web'],
    },
    requests: {
      what: 'data-subject requests, tasks, packages, certificates, OpenGDPR',
      tables: [
        'requests',
        'request_tasks',
        'request_tokens',
        'request_results',
        'request_signing_keys',
        'opengdpr_requests',
        'opengdpr_callbacks',
      ],
      uses: [
        'audit',
        'consent',
        'idempotency',
        'jobs',
        'metrics',
        'notifications',
        'outbox',
        'rendering',
        'subjects',
        'systems',
        'web',
      ],
    },
    retention: {
      what: 'retention policies, runs, notices, consent expiry',
      tables: [
        'retention_policies',
        'retention_policy_versions',
        'retention_runs',
        'retention_run_items',
        'retention_system_notices',
        'retention_consent_expiries',
        'retention_review_tasks',
      ],
      uses: ['audit', 'consent', 'idempotency', 'jobs', 'outbox', 'rendering', 'requests', 'subjects', 'systems'],
    },
    register: {
      what: 'Art. 30 register of processing activities',
      tables: ['register_versions', 'controller_settings', 'register_activity_details'],
      uses: ['audit', 'consent', 'idempotency', 'rendering', 'retention', 'systems'],
    },
    breaches: {
      what: 'breaches, the 72-hour clock, UODO report, Art. 34 notices',
      tables: [
        'breaches',
        'breach_events',
        'breach_authority_notifications',
        'breach_affected_subjects',
        'breach_digests',
      ],
      uses: ['audit', 'idempotency', 'jobs', 'metrics', 'notifications', 'outbox', 'rendering', 'subjects', 'systems'],
    },
    users: {
      what: 'staff users, passwords, TOTP, sessions',
      tables: ['staff_users'],
      uses: ['audit', 'idempotency'],
    },
    portal: {
      what: 'customer portal and preference centre pages',
      tables: [],
      uses: ['consent', 'rendering', 'requests', 'web'],
    },
    console: {
      what: 'staff console pages',
      tables: [],
      uses: [
        'audit',
        'auth',
        'breaches',
        'consent',
        'register',
        'rendering',
        'requests',
        'retention',
        'subjects',
        'systems',
        'users',
        'web',
      ],
    },
  },
};
