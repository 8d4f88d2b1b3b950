// The stock page: the auth service's LoginForm loaded as Module Federation's documentation loads
// a remote in a browser at run time, @module-federation/runtime's createInstance + loadRemote
// with the remoteEntry.js URL. React is bundled here once and shared as a singleton, as in the
// web shell. No registry, no signature, no integrity: whatever the URL serves runs.
import { createInstance } from '@module-federation/runtime';
import * as React from 'react';
import { createRoot } from 'react-dom/client';

// A stock page has the remote's URL in its build or HTML; taking it from the query (?remote=)
// keeps this build independent of the port the benchmark's static server gets.
const entry = new URLSearchParams(location.search).get('remote');

const federation = createInstance({
  name: 'stock_web',
  remotes: [{ name: 'auth', entry }],
  shared: {
    react: { version: React.version, lib: () => React, shareConfig: { singleton: true, requiredVersion: `^${React.version.split('.')[0]}.0.0` } },
  },
});

// Loads like the web shell's RemoteSlot: a placeholder first, the module from an effect.
function Slot() {
  const [state, setState] = React.useState({});
  React.useEffect(() => {
    federation.loadRemote('auth/LoginForm').then(
      (module) => setState({ module }),
      (problem) => setState({ problem }),
    );
  }, []);
  if (state.problem) return React.createElement('p', { role: 'alert', 'data-testid': 'slot-fallback-auth' }, String(state.problem.message ?? state.problem));
  if (!state.module) return React.createElement('div', { className: 'slot-loading', 'aria-busy': 'true' });
  return React.createElement(state.module.default, { onLogin: () => undefined });
}

createRoot(document.getElementById('root')).render(React.createElement(React.StrictMode, null, React.createElement(Slot)));
