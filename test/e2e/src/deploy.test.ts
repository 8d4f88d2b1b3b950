// The deployment files in deploy/: the Kubernetes manifests checked against the Kubernetes API
// schemas (kubernetes-models; no cluster is reachable here), and what they must say to run the
// registry safely; the Dockerfile linted (dockerfile-utils; there is no Docker engine here to
// build it) and checked for what it promises: several stages, a non-root user, a health check.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@modmesh/test-utils';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const DEPLOY = path.join(repoRoot, 'deploy');
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'v1 Service': Service,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
};
const REGISTRY_VERSION = (JSON.parse(readFileSync(path.join(repoRoot, 'packages/registry/package.json'), 'utf8')) as { version: string }).version;

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked by the schema first, then read as plain data.
type Manifest = Record<string, any>;

describe('the Kubernetes manifests in deploy/kubernetes', () => {
  const manifests = loadManifests();
  const byKind = (kind: string): Manifest => {
    const found = manifests.find((manifest) => manifest.kind === kind);
    if (!found) throw new Error(`no ${kind} in deploy/kubernetes`);
    return found;
  };

  it('holds a Deployment, a Service, a PodDisruptionBudget and a migration Job, each valid against its Kubernetes schema', () => {
    expect(manifests.map((manifest) => `${manifest.apiVersion} ${manifest.kind}`).sort()).toEqual(Object.keys(MODELS).sort());
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion} ${manifest.kind}`]!;
      expect(() => new Model(manifest as never).validate(), `${manifest.kind} ${manifest.metadata?.name}`).not.toThrow();
    }
  });

  it('would be refused with a field of the wrong type (the schema check is live)', () => {
    const broken = structuredClone(byKind('Deployment'));
    broken.spec.replicas = 'three';
    broken.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };

    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('probes readiness and liveness on /health of the port the registry listens on', () => {
    const container = byKind('Deployment').spec.template.spec.containers[0];
    const port = container.ports.find((entry: Manifest) => entry.name === 'http');
    expect(container.args).toEqual(['registry', 'start', '--host', '0.0.0.0', '--port', String(port.containerPort)]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  it('takes the database URL and the admin token from a Secret, never from the manifest', () => {
    const deployment = byKind('Deployment');
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((entry: Manifest) => [entry.name, entry]));
    expect(env.MODMESH_STORAGE.valueFrom.secretKeyRef).toEqual({ name: 'modmesh-registry', key: 'database-url' });
    expect(env.MODMESH_ADMIN_TOKEN.valueFrom.secretKeyRef).toEqual({ name: 'modmesh-registry', key: 'admin-token' });
    for (const entry of Object.values(env) as Manifest[]) expect(entry.value, entry.name).toBeUndefined();
    const job = byKind('Job').spec.template.spec.containers[0];
    expect(job.env).toEqual([env.MODMESH_STORAGE]);
  });

  it('runs the migration with the replicas’ image, and several replicas that a drain never takes all of', () => {
    const deployment = byKind('Deployment');
    const job = byKind('Job').spec.template.spec.containers[0];
    expect(job.args).toEqual(['registry', 'migrate']);
    expect(job.image).toBe(deployment.spec.template.spec.containers[0].image);
    expect(job.image).toBe(`modmesh/registry:${REGISTRY_VERSION}`);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(byKind('PodDisruptionBudget').spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });

  it('selects the replicas’ pods from the Service and the PodDisruptionBudget, and serves the port by name', () => {
    const deployment = byKind('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(byKind('Service').spec.selector).toEqual(labels);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    expect(byKind('Service').spec.ports[0].targetPort).toBe('http');
  });

  it('runs every container as a non-root user with a read-only file system and no privilege escalation', () => {
    for (const kind of ['Deployment', 'Job']) {
      const pod = byKind(kind).spec.template.spec;
      expect(pod.securityContext.runAsNonRoot, kind).toBe(true);
      expect(pod.automountServiceAccountToken, kind).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext, `${kind} ${container.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });
});

describe('the registry Dockerfile (deploy/Dockerfile)', () => {
  const text = readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  const instructions = parseDockerfile(text);
  const stages = instructions.filter((instruction) => instruction.keyword === 'FROM');
  const final = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

  it('lints clean', () => {
    expect(lintDockerfile(text)).toEqual([]);
  });

  it('builds in stages from pinned images, and copies only from its own stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = stages.map((stage) => /\bAS\s+(\S+)/i.exec(stage.args)?.[1]);
    // Each stage starts from an earlier stage or from a Node image pinned to its patch version.
    for (const [index, stage] of stages.entries()) {
      const base = stage.args.split(/\s+/)[0] ?? '';
      if (!names.slice(0, index).includes(base)) expect(base).toMatch(/^node:\d+\.\d+\.\d+-\S+$/);
    }
    for (const copy of instructions.filter((instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('--from='))) {
      expect(names).toContain(/--from=(\S+)/.exec(copy.args)?.[1]);
    }
  });

  it('runs the registry as a non-root user, with a health check on /health, on the Deployment’s port', () => {
    const user = final.filter((instruction) => instruction.keyword === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    expect(final.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.args).toContain('/health');
    expect(final.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args).toContain('packages/cli/bin/modmesh.js');
    const containerPort = loadManifests().find((manifest) => manifest.kind === 'Deployment')!.spec.template.spec.containers[0].ports[0].containerPort;
    expect(final.find((instruction) => instruction.keyword === 'EXPOSE')?.args).toBe(String(containerPort));
  });
});

// --- internal ---

function loadManifests(): Manifest[] {
  const dir = path.join(DEPLOY, 'kubernetes');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
        return document.toJS() as Manifest;
      }),
    );
}

/** Instructions with their continuation lines joined; comments dropped. */
function parseDockerfile(text: string): { keyword: string; args: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}
