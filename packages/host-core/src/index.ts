export { concerns } from './concerns.js';
export { remoteOfRuntimeName, runtimeNameOf } from './container-name.js';
export { BAD_RELEASE_CODES, coded, type FailureSubject, federationFailure, VERIFICATION_CODES } from './failures.js';
export {
  createFederation,
  type Federation,
  type FederationContainer,
  type FederationOptions,
  type Installing,
  type LoadedContainer,
  type SharedPackage,
  type SharedStatus,
} from './federation.js';
export { createHost, type EventsState, type Host, type HostOptions, type StaleState } from './host.js';
export { createLazyTrust } from './lazy-trust.js';
export type { CoreRelease, Offer, StateStore, TagInfo, VerifiedState } from './release.js';
export { createMemoryStateStore, isOlderState, type RunningRelease, replayOf, runningFromState } from './replay.js';
export { copiesIn, privateShareScopes, type ShareScope, type ShareScopeMap, withOwnScopes } from './share-scopes.js';
export type { Counters, Level, Logger, RemoteSlot, SlotPorts, SlotStatus } from './slot.js';
export { parseModuleId, parseRemotes, type RemoteSpec, type SpecKind } from './spec.js';
export { createTrust, type Trust, type TrustOptions, type TrustStore } from './trust.js';
