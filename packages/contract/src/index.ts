export { type ContractBreak, type ContractComparison, compareContracts } from './compare.js';
export { type DeclarationInput, type DeclarationProblem, type Declarations, type EmittedDeclarations, emitDeclarations } from './declarations.js';
export { emitDeclarationsInWorker } from './declarations-thread.js';
export {
  type HostRemote,
  type LockedRemote,
  RUNTIME_TYPES_FILE,
  remoteTypesFile,
  runtimeTypesFile,
  TYPES_LOCK_FILE,
  TYPES_LOCK_SCHEMA,
  type TypesLock,
} from './host-types.js';
export { declaredModules, hasDefaultExport, renameModules } from './module-names.js';
export { type ProvidingHost, type SharedRangeChange, sharedRangeChanges } from './shared-ranges.js';
export { readDeclarations, TYPES_INDEX_SCHEMA, type TypesIndex, typesIndexOf } from './types-index.js';
