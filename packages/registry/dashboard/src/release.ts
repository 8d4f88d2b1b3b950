// The selected release of a remote: files, signature, build, containers and shared packages.
import type { SignedReleaseRecord } from '@modmesh/api';
import type { ContainerInfo, ReleaseManifest, ReleaseSignature } from '@modmesh/manifest/web';
import { actor, badge, type Child, formatBytes, h, plural, tableHead, tagBadge, timeAgo, versionText } from './dom.js';

/** The panel body for one signed release: what it contains, who signed it, how it was built. */
export function releaseView(release: SignedReleaseRecord, tags: string[]): Child[] {
  // The registry stored it only after checking it against the manifest schema and its
  // signature: shown as what it is, not verified again here (hosts verify what they run).
  const manifest = release.manifest as ReleaseManifest;
  const signature = release.signature as ReleaseSignature;
  const totalBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  const build = manifest.build;
  return [
    h(
      'header',
      { class: 'panel-header' },
      h('h3', {}, 'Release ', versionText(manifest.version)),
      h('span', { class: 'badges' }, tags.map(tagBadge)),
      h('span', { class: 'panel-note' }, 'published ', timeAgo(release.publishedAt), ' by ', actor(release.publishedBy)),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Files', `${plural(manifest.files.length, 'file')} · ${formatBytes(totalBytes)}`),
      fact('Signature', h('span', {}, badge(signature.algorithm, 'grey'), ' ', h('span', { class: 'mono', title: 'Publisher key id' }, signature.keyId))),
      fact('Build', `${build.bundler} ${build.bundlerVersion}`),
      fact(
        'Git commit',
        build.gitCommit ? h('span', { class: 'mono', title: build.gitCommit }, build.gitCommit.slice(0, 12)) : h('span', { class: 'muted' }, 'not recorded'),
      ),
      fact('Built', timeAgo(build.createdAt)),
    ),
    ...manifest.containers.map(containerView),
  ];
}

// --- internal ---

function containerView(container: ContainerInfo): HTMLElement {
  return h(
    'div',
    { class: 'container' },
    h(
      'div',
      { class: 'container-head' },
      container.target === 'web' ? badge('web', 'purple') : badge('node', 'green'),
      h('span', { class: 'strong', title: 'Module Federation container name' }, container.name),
      h('span', { class: 'muted' }, 'entry '),
      h('span', { class: 'mono' }, container.entry),
    ),
    h(
      'div',
      { class: 'container-row' },
      h('span', { class: 'label' }, 'Exposes'),
      container.exposes.length
        ? h(
            'span',
            { class: 'chips' },
            container.exposes.map((expose) => h('span', { class: 'chip mono' }, expose.name)),
          )
        : h('span', { class: 'muted' }, 'nothing'),
    ),
    container.shared.length
      ? h(
          'table',
          { class: 'compact' },
          tableHead(['Shared package', 'Version', 'Requires', 'Singleton']),
          h(
            'tbody',
            {},
            container.shared.map((shared) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, shared.name),
                h('td', {}, versionText(shared.version)),
                h('td', {}, shared.requiredVersion === false ? h('span', { class: 'muted' }, 'any') : versionText(shared.requiredVersion ?? '—')),
                h(
                  'td',
                  {},
                  shared.singleton ? badge(shared.strictVersion ? 'singleton · strict' : 'singleton', 'indigo') : h('span', { class: 'muted' }, 'no'),
                ),
              ),
            ),
          ),
        )
      : h('div', { class: 'container-row' }, h('span', { class: 'label' }, 'Shared'), h('span', { class: 'muted' }, 'no shared packages')),
  );
}

function fact(term: string, value: Child): HTMLDivElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
