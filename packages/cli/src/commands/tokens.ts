import type { AuditEntry, TokenInfo } from '@modmesh/api';
import { ModmeshError } from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput, table } from '../output.js';

export const tokenListCommand: CommandSpec = {
  name: 'token ls',
  summary: "list the registry's tokens (admin)",
  arguments: '',
  description: 'Every token: id, role, remote, label, when made, when it expires, whether revoked, when last used. Never the token itself.',
  options: CLIENT_OPTIONS,
  examples: ['modmesh token ls'],
  run: async function runTokenList(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const answer = await connect(args, context.env, context.cwd, output).tokens();
    output.result(answer, () =>
      answer.tokens.length === 0
        ? ['no tokens (besides the bootstrap admin token)']
        : table([['ID', 'ROLE', 'REMOTE', 'LABEL', 'EXPIRES', 'STATE', 'LAST USED'], ...answer.tokens.map(row)]),
    );
  },
};

export const tokenRevokeCommand: CommandSpec = {
  name: 'token revoke',
  summary: 'revoke a token: refused from its next request on, on every replica (admin, or the token itself)',
  arguments: 'ID',
  description: 'Revokes the token with id ID (`modmesh token ls`). A token may revoke itself (a leaked CI token, by CI). Audited.',
  options: CLIENT_OPTIONS,
  examples: ['modmesh token revoke 5d1b8b44-3048-41dc-bcc9-a0130611f051'],
  run: async function runTokenRevoke(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const revoked = await connect(args, context.env, context.cwd, output).revokeToken(args.positionals[0] ?? '');
    output.result(revoked, () => [`revoked ${revoked.id} (${revoked.role}${revoked.remote ? ` for ${revoked.remote}` : ''}) at ${revoked.revokedAt}`]);
  },
};

export const auditCommand: CommandSpec = {
  name: 'audit',
  summary: 'show the audit log: every use of a publish or admin token (admin)',
  arguments: '',
  description: [
    'Every request made with a publish or admin token (and every refusal of a revoked or expired one): when,',
    'which token, what, about which path, how it ended (ok or the code), from where. Without --since, the newest.',
  ].join('\n'),
  options: {
    since: { type: 'string', value: 'TIME', description: 'from this time on (ISO 8601, or 1h / 7d ago)' },
    limit: { type: 'string', value: 'N', default: '100', description: 'at most this many entries (up to 1000)' },
    ...CLIENT_OPTIONS,
  },
  examples: ['modmesh audit --since 24h', 'modmesh audit --since 2026-12-01T00:00:00Z --json'],
  run: async function runAudit(args: ParsedArgs, context: CliContext): Promise<void> {
    const output = createOutput(context, args.flag('json'));
    const since = sinceOf(args.value('since'));
    const limit = Number(args.need('limit'));
    if (!Number.isSafeInteger(limit) || limit < 1) throw new ModmeshError('MODMESH_USAGE', `--limit ${args.need('limit')} is not a whole number from 1`);
    const answer = await connect(args, context.env, context.cwd, output).audit({ ...(since && { since }), limit });
    output.result(answer, () =>
      answer.entries.length === 0 ? ['no entries'] : table([['AT', 'TOKEN', 'ACTION', 'SUBJECT', 'OUTCOME', 'FROM'], ...answer.entries.map(auditRow)]),
    );
  },
};

// --- internal ---

function row(token: TokenInfo): string[] {
  const state = token.revokedAt ? `revoked ${token.revokedAt}` : token.expiresAt && Date.parse(token.expiresAt) <= Date.now() ? 'expired' : 'active';
  return [token.id, token.role, token.remote ?? '-', token.label || '-', token.expiresAt ?? 'never', state, token.lastUsedAt ?? 'never'];
}

function auditRow(entry: AuditEntry): string[] {
  return [entry.at, `${entry.tokenId} (${entry.role})`, entry.action, entry.subject, entry.outcome, entry.address];
}

function sinceOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ago = /^([1-9][0-9]{0,4})([hd])$/.exec(text);
  if (ago) return new Date(Date.now() - Number(ago[1]) * (ago[2] === 'd' ? 86_400_000 : 3_600_000)).toISOString();
  if (!Number.isFinite(Date.parse(text)))
    throw new ModmeshError('MODMESH_USAGE', `--since ${JSON.stringify(text)} is not a time (ISO 8601) or a duration such as 24h`);
  return new Date(text).toISOString();
}
