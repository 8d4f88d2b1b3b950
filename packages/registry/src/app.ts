import type { TufStatus } from '@modmesh/api';
import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import { createNodeCrypto } from '@modmesh/trust/node';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAudit } from './audit.js';
import { type Authenticator, createAuthenticator } from './auth.js';
import { createBlobCache } from './blob-cache.js';
import { type ConsumerRegistry, createConsumerRegistry } from './consumers.js';
import { createEventHub, type EventHub } from './events.js';
import { registerCoreHooks } from './hooks.js';
import { FRAMEWORK_ERROR_OPTIONS } from './http-errors.js';
import { createMetrics, type RegistryMetrics } from './metrics.js';
import { SCHEMA_OPTIONS, schemaErrorFormatter } from './params.js';
import { createPublisher } from './publish.js';
import { createRegistryLimits, type RateLimitOptions } from './rate-limit.js';
import { consumerRoutes } from './routes/consumers.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { preflightRoutes } from './routes/preflight.js';
import { readRoutes } from './routes/reads.js';
import { releaseRoutes } from './routes/releases.js';
import { remoteRoleRoutes } from './routes/remote-roles.js';
import { tagRoutes } from './routes/tags.js';
import { tokenRoutes } from './routes/tokens.js';
import { trustAdminRoutes } from './routes/trust-admin.js';
import { tufRoutes } from './routes/tuf.js';
import type { ConsumerStore } from './storage/consumers.js';
import type { BlobStore, MetadataStore } from './storage/types.js';
import { createLegacyGate, registerLegacyGate } from './tuf/legacy-gate.js';
import { registerTufMetrics } from './tuf/metrics.js';
import { DEFAULT_ONLINE_EXPIRY, type OnlineExpiry } from './tuf/online.js';
import { loadOnlineSigner, type OnlineSigner } from './tuf/online-key.js';
import { createRenewal, type Renewal } from './tuf/renewal.js';
import { createTufEngine, type TufEngine } from './tuf/service.js';
import { tufStatus } from './tuf/status.js';

export interface RegistryAppOptions {
  metadata: MetadataStore;
  blobs: BlobStore;
  /** Where hosts' reports are kept; shared by replicas on PostgreSQL. @default in memory */
  consumers?: ConsumerStore;
  adminToken: string;
  /** Reads need a token too. @default false */
  requireReadToken?: boolean;
  /** Largest release file accepted. @default 32 MiB */
  maxFileBytes?: number;
  /** Largest JSON body (a signed manifest) accepted. @default 1 MiB */
  maxJsonBytes?: number;
  /** Memory for serving the most requested release files without touching the disk; 0 turns it off. @default 64 MiB */
  blobCacheBytes?: number;
  /** Fastify's logger: false in tests, pino options in the server. @default false */
  logger?: boolean | Record<string, unknown>;
  /** Budgets for writes per publish token and for unknown tokens per client address (see rate-limit.ts); false turns them off. @default DEFAULT_RATE_LIMITS */
  rateLimit?: RateLimitOptions | false;
  /** The registry's online keys for timestamp and snapshot (design 16 §4.1). @default none: legacy mode only, a root push is refused */
  onlineSigner?: OnlineSigner;
  /** How long timestamps and snapshots live and when they are renewed. @default DEFAULT_ONLINE_EXPIRY */
  onlineExpiry?: Partial<OnlineExpiry>;
  /** Refuse every legacy write (unsigned publishes and tag moves, registered keys): root mode only. @default false */
  requireSignedTags?: boolean;
}

export interface RegistryApp {
  app: FastifyInstance;
  hub: EventHub;
  metrics: RegistryMetrics;
  auth: Authenticator;
  consumers: ConsumerRegistry;
  tuf: { engine: TufEngine; renewal: Renewal; status(): Promise<TufStatus> };
}

const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
const DEFAULT_BLOB_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The registry's HTTP API (see packages/registry/README.md): the services every route shares,
 * the hooks that run before any route, and one plugin per resource. Storage is passed in;
 * nothing here touches the file system or the network by itself.
 */
export async function createRegistryApp(options: RegistryAppOptions): Promise<RegistryApp> {
  const { metadata, blobs } = options;
  const auth = createAuthenticator({ metadata, adminToken: options.adminToken, requireReadToken: options.requireReadToken ?? false });
  const hub = createEventHub(metadata, { onError: (error) => app.log.warn({ err: error }, 'event delivery: storage unavailable, retrying') });
  const metrics = createMetrics(() => hub.clients());
  const consumers = createConsumerRegistry(options.consumers);
  const blobCache = createBlobCache(options.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES);
  const limits = createRegistryLimits(options.rateLimit);
  const signer = options.onlineSigner ?? (await loadOnlineSigner({}));
  const expiry = checkedExpiry({ ...DEFAULT_ONLINE_EXPIRY, ...options.onlineExpiry });
  const engine = createTufEngine({ metadata, hub, signer, crypto: createNodeCrypto(), expiry });
  const renewal = createRenewal({ metadata, hub, engine, onError: (error, code) => app.log.warn({ err: error, code }, 'TUF renewal failed; retrying') });
  const status = createStatusReader(() => tufStatus(metadata, signer));
  registerTufMetrics(metrics.registry, status);
  const gate = createLegacyGate({ metadata, requireSigned: options.requireSignedTags ?? false });
  const publisher = createPublisher({ metadata, blobs, hub, metrics, engine, gate });
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    ajv: SCHEMA_OPTIONS,
    schemaErrorFormatter,
    ...FRAMEWORK_ERROR_OPTIONS,
  });

  await hub.start();
  registerCoreHooks(app, { auth, limits, metrics });
  registerAudit(app, { metadata, onError: (error) => app.log.warn({ err: error }, 'audit entry not written') });
  registerLegacyGate(app, { auth, gate });
  await limits.register(app);
  await app.register(healthRoutes, { metrics, tuf: status });
  await app.register(dashboardRoutes);
  await app.register(readRoutes, { metadata, hub });
  await app.register(fileRoutes, { metadata, blobs, blobCache, metrics });
  await app.register(releaseRoutes, { blobs, auth, publisher, metrics, limits, maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  await app.register(tagRoutes, { metadata, auth, hub, metrics, limits });
  await app.register(eventRoutes, { hub });
  await app.register(consumerRoutes, { auth, consumers });
  await app.register(keyRoutes, { metadata, auth });
  await app.register(tokenRoutes, { metadata, auth });
  await app.register(tufRoutes, { metadata });
  await app.register(trustAdminRoutes, { auth, engine });
  await app.register(remoteRoleRoutes, { auth, engine, metadata, metrics, limits });
  await app.register(preflightRoutes);
  renewal.start();
  // Before the server stops accepting: open event streams would otherwise keep close() waiting.
  app.addHook('preClose', async () => {
    renewal.stop();
    await hub.close();
  });
  return { app, hub, metrics, auth, consumers, tuf: { engine, renewal, status } };
}

// --- internal ---

// /health and /metrics must answer while the database is away (load balancers ask /health): the
// last status read is given then, with the reason it could not be read again.
function createStatusReader(read: () => Promise<TufStatus>): () => Promise<TufStatus> {
  let last: TufStatus = { mode: 'legacy', documents: {}, problems: [], warnings: [] };
  return async function tufStatusOrLast() {
    try {
      last = await read();
      return last;
    } catch (error) {
      const code = isModmeshError(error) ? error.code : 'MODMESH_INTERNAL';
      return { ...last, problems: [...last.problems, { code, message: `the TUF state could not be read now: ${(error as Error).message}` }] };
    }
  };
}

// A document renewed when less than its whole life is left would be renewed on every check.
function checkedExpiry(expiry: OnlineExpiry): OnlineExpiry {
  for (const role of ['timestamp', 'snapshot'] as const) {
    if (expiry[`${role}RenewBeforeSeconds`] >= expiry[`${role}Seconds`]) {
      throw new ModmeshError(
        'MODMESH_CONFIG_INVALID',
        `the ${role} is renewed ${expiry[`${role}RenewBeforeSeconds`]} s before it expires, but lives only ${expiry[`${role}Seconds`]} s`,
        {
          hint: `Give --${role}-renew-before below --${role}-expiry.`,
        },
      );
    }
  }
  return expiry;
}
