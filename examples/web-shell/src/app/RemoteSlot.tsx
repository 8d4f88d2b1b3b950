import type { BrowserMesh } from '@modmesh/runtime/browser';
import * as React from 'react';

export interface RemoteSlotProps<M> {
  mesh: BrowserMesh;
  /** `alias/Expose`, e.g. `auth/LoginForm`. */
  id: string;
  /** What the slot shows when its module cannot be loaded or fails while rendering. */
  unavailableTitle: string;
  render: (module: M) => React.ReactNode;
  /** Told when the module throws while rendering (load failures reach the mesh's onEvent). */
  onRenderError?: (problem: { code: string; message: string }) => void;
}

interface Problem {
  code: string;
  message: string;
}

/**
 * One module of the page, loaded through the modmesh browser runtime. Shows a placeholder while
 * it loads, the module once it is there (again after every live swap, remounted on the new
 * release), and a fallback with the error's code if it cannot load or throws while rendering.
 * The rest of the page never depends on it.
 */
export function RemoteSlot<M>({ mesh, id, unavailableTitle, render, onRenderError }: RemoteSlotProps<M>): React.ReactElement {
  const alias = id.slice(0, id.indexOf('/'));
  const [attempt, setAttempt] = React.useState(0);
  const [state, setState] = React.useState<{ module?: M; version?: string; problem?: Problem }>({});

  React.useEffect(() => {
    let live = true;
    const load = (): void => {
      mesh.import<M>(id).then(
        (module) => live && setState({ module, version: mesh.version(alias) }),
        (error: unknown) => live && setState({ problem: problemOf(error) }),
      );
    };
    load();
    const unsubscribe = mesh.subscribe(alias, load);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [mesh, id, alias, attempt]);

  const retry = (): void => {
    setState({});
    setAttempt((value) => value + 1);
  };

  if (state.problem) return <Fallback alias={alias} title={unavailableTitle} problem={state.problem} onRetry={retry} />;
  if (!state.module) {
    return (
      <div className="slot-loading" data-testid={`slot-loading-${alias}`} aria-busy="true">
        <div className="skeleton" />
        <div className="skeleton short" />
      </div>
    );
  }
  return (
    <SlotBoundary key={`${state.version}:${attempt}`} alias={alias} title={unavailableTitle} onRetry={retry} onError={onRenderError}>
      <div data-testid={`slot-module-${alias}`} data-version={state.version}>
        {render(state.module)}
      </div>
    </SlotBoundary>
  );
}

// --- internal ---

function problemOf(error: unknown): Problem {
  const coded = error as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof coded?.code === 'string' ? coded.code : 'SHELL_MODULE_FAILED',
    message: typeof coded?.message === 'string' ? coded.message : String(error),
  };
}

// What a person can make of an error code, before the details a developer needs.
function explain(code: string): string {
  if (/HASH_MISMATCH|SIGNATURE|KEY_NOT_TRUSTED|MANIFEST|CHUNK_NOT_IN_RELEASE|SRI_UNSUPPORTED/.test(code)) {
    return "This module's code did not match what its publisher signed, so the browser refused to run it. The rest of the page is unaffected.";
  }
  if (/UNREACHABLE|TIMEOUT|BAD_STATUS|UNAVAILABLE/.test(code))
    return 'The service behind this part of the page is not answering. The rest of the page keeps working.';
  return 'This part of the page failed. The rest of the page keeps working.';
}

function Fallback({ alias, title, problem, onRetry }: { alias: string; title: string; problem: Problem; onRetry: () => void }): React.ReactElement {
  return (
    <div className="fallback" role="alert" data-testid={`slot-fallback-${alias}`}>
      <div className="fallback-icon" aria-hidden="true">
        !
      </div>
      <div className="fallback-body">
        <h3>{title}</h3>
        <p>{explain(problem.code)}</p>
        <details className="fallback-details">
          <summary>Details for support</summary>
          <p>{problem.message}</p>
        </details>
        <div className="fallback-actions">
          <code className="code" data-testid={`slot-fallback-code-${alias}`}>
            {problem.code}
          </code>
          <button type="button" className="button secondary" onClick={onRetry}>
            Try again
          </button>
        </div>
      </div>
    </div>
  );
}

interface BoundaryProps {
  alias: string;
  title: string;
  onRetry: () => void;
  onError: ((problem: Problem) => void) | undefined;
  children: React.ReactNode;
}

// A module that throws while rendering takes down its slot only.
class SlotBoundary extends React.Component<BoundaryProps, { problem?: Problem }> {
  override state: { problem?: Problem } = {};

  static getDerivedStateFromError(error: unknown): { problem: Problem } {
    return { problem: problemOf(error) };
  }

  override componentDidCatch(error: unknown): void {
    const problem = problemOf(error);
    console.error(`[web-shell] ${this.props.alias}: ${problem.code}: ${problem.message}`);
    this.props.onError?.(problem);
  }

  override render(): React.ReactNode {
    if (this.state.problem) return <Fallback alias={this.props.alias} title={this.props.title} problem={this.state.problem} onRetry={this.props.onRetry} />;
    return this.props.children;
  }
}
