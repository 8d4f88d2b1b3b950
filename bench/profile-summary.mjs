// The top items of a V8 CPU profile (.cpuprofile), for bench/profile-*.mjs.

/**
 * Self time of every node of a profile, summed by function (name and file:line) and by package,
 * as two markdown tables of the `top` items. `keep(timestampUs)` picks the samples counted (all
 * by default); `per` divides the times (a figure per swap).
 */
export function summarizeProfile(profile, { top = 12, keep = () => true, per = 1 } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let at = profile.startTime;
  for (const [index, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (keep(at)) self.set(id, (self.get(id) ?? 0) + delta / 1000 / per);
  }
  const total = [...self.values()].reduce((sum, ms) => sum + ms, 0);
  const byFunction = new Map();
  const byPackage = new Map();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const fn = `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + ms);
  }
  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% |`)
      .join('\n');
  return [
    `profiled ${total.toFixed(0)} ms`,
    '',
    '| by package | self ms | share |\n|---|---|---|',
    rows(byPackage),
    '',
    '| by function | self ms | share |\n|---|---|---|',
    rows(byFunction),
  ].join('\n');
}

// --- internal ---

function shortUrl(url) {
  if (!url) return '';
  // A release's files, whatever its version: one line per function across the swaps.
  const release = url.match(/\/releases\/([^/]+)\/[^/]+\/(.+)$/);
  if (release) return `release ${release[1]}: ${release[2]}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const packages = url.search(/(packages|examples|bench)\//);
  return packages >= 0 ? url.slice(packages) : url;
}

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(V8 / native)';
  if (url.startsWith('node:')) return 'node: built-ins';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const own = url.match(/(packages|examples)\/([^/]+)/);
  if (own) return `${own[1]}/${own[2]}${url.includes('/dist/bundle/') ? ' (bundle)' : ''}`;
  if (url.includes('/bench/')) return 'bench host';
  if (/\/releases\/[^/]+\/[^/]+\//.test(url)) return 'the release (remote code)';
  return url.startsWith('file:') || url.startsWith('/') ? '(release or other file)' : url;
}
