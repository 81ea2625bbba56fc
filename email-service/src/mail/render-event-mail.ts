import { escapeHtml } from './html-escape.ts';

/** The common body of every event (`{user_id, date, message, data}`). */
export interface EventMailPayload {
  user_id: number;
  date: string;
  message: string;
  data: Record<string, unknown>;
}

export interface RenderEventMailOptions {
  /** Default `Message from Bank service` (the seed's subject). */
  subjectPrefix?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Field = [label: string, value: string];

interface Description {
  /** What happened, as a sentence. */
  sentence: string;
  /** Labelled fields, in display order. */
  fields: Field[];
  /** Keys of `data` the fields above already cover. */
  covered: string[];
}

export const DEFAULT_SUBJECT_PREFIX = 'Message from Bank service';

const LABEL_WORDS: Record<string, string> = { id: 'ID', url: 'URL', iban: 'IBAN' };

/** `social_status_id` → `Social status ID`. */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-\s.]+/)
    .filter(Boolean)
    .map((w) => LABEL_WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `account.created` → `account created`, `social_status.created` → `social status created`. */
export function humanizeRoutingKey(routingKey: string): string {
  return routingKey
    .split('.')
    .flatMap((part) => part.split(/[_-]+/))
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(formatValue).join(', ');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '—';
    return entries.map(([k, v]) => `${humanizeKey(k)}: ${formatValue(v)}`).join('; ');
  }
  return String(value);
}

function formatDate(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function has(data: Record<string, unknown>, ...keys: string[]): boolean {
  return keys.every((k) => data[k] !== undefined && data[k] !== null);
}

function v(data: Record<string, unknown>, key: string): string {
  return formatValue(data[key]);
}

/** Event-specific sentences for the events bank-service publishes; null → generic rendering. */
function describeKnown(routingKey: string, d: Record<string, unknown>): Description | null {
  switch (routingKey) {
    case 'account.created':
      if (!has(d, 'id', 'client_id', 'bank_id')) return null;
      return {
        sentence: `Account ${v(d, 'id')} was created for client ${v(d, 'client_id')} at bank ${v(d, 'bank_id')}.`,
        fields: [
          ['Account ID', v(d, 'id')],
          ['Client ID', v(d, 'client_id')],
          ['Bank ID', v(d, 'bank_id')],
          ...(has(d, 'balance') ? [['Balance', v(d, 'balance')] as Field] : []),
        ],
        covered: ['id', 'client_id', 'bank_id', 'balance'],
      };
    case 'bank.created':
      if (!has(d, 'id', 'name')) return null;
      return {
        sentence: `Bank "${v(d, 'name')}" was created with ID ${v(d, 'id')}.`,
        fields: [
          ['Bank ID', v(d, 'id')],
          ['Name', v(d, 'name')],
        ],
        covered: ['id', 'name'],
      };
    case 'client.created':
      if (!has(d, 'id', 'name')) return null;
      return {
        sentence: `Client "${v(d, 'name')}" was created with ID ${v(d, 'id')}.`,
        fields: [
          ['Client ID', v(d, 'id')],
          ['Name', v(d, 'name')],
          ...(has(d, 'social_status_id') ? [['Social status ID', v(d, 'social_status_id')] as Field] : []),
          ...(has(d, 'user_id') ? [['User ID', v(d, 'user_id')] as Field] : []),
        ],
        covered: ['id', 'name', 'social_status_id', 'user_id'],
      };
    case 'card.created':
      if (!has(d, 'id', 'account_id')) return null;
      return {
        sentence: `Card ${v(d, 'id')} was created for account ${v(d, 'account_id')}.`,
        fields: [
          ['Card ID', v(d, 'id')],
          ['Account ID', v(d, 'account_id')],
          ...(has(d, 'balance') ? [['Balance', v(d, 'balance')] as Field] : []),
        ],
        covered: ['id', 'account_id', 'balance'],
      };
    default:
      return null;
  }
}

function describeGeneric(routingKey: string, payload: EventMailPayload): Description {
  const [entity = 'item', ...rest] = routingKey.split('.');
  const verb = rest.join(' ') || 'updated';
  const what = humanizeRoutingKey(entity);
  const article = /^[aeiou]/i.test(what) ? 'An' : 'A';
  const sentence = payload.message.trim() || `${article} ${what} was ${verb}.`;
  return { sentence: /[.!?]$/.test(sentence) ? sentence : `${sentence}.`, fields: [], covered: [] };
}

function describe(routingKey: string, payload: EventMailPayload): Description {
  const data = payload.data ?? {};
  const base = describeKnown(routingKey, data) ?? describeGeneric(routingKey, payload);
  const extra = Object.keys(data)
    .filter((k) => !base.covered.includes(k))
    .map((k): Field => [humanizeKey(k), formatValue(data[k])]);
  return { ...base, fields: [...base.fields, ...extra] };
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function textTable(fields: Field[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

function htmlTable(fields: Field[]): string {
  const rows = fields
    .map(
      ([label, value]) =>
        `<tr><th style="text-align:left;padding:4px 16px 4px 0;vertical-align:top">${escapeHtml(label)}</th>` +
        `<td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  return `<table style="border-collapse:collapse">\n${rows}\n</table>`;
}

/**
 * Renders one event as a mail: a subject per event type (`<prefix>: account created`), a readable
 * text body (a sentence, then labelled fields) and an HTML body (the same, every value escaped).
 * Unknown event types get a generic rendering from the event's message and data keys.
 */
export function renderEventMail(
  routingKey: string,
  payload: EventMailPayload,
  options: RenderEventMailOptions = {},
): RenderedMail {
  const prefix = oneLine(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
  const event = humanizeRoutingKey(oneLine(routingKey)) || 'event';
  const subject = prefix ? `${prefix}: ${event}` : event.charAt(0).toUpperCase() + event.slice(1);
  const { sentence, fields } = describe(routingKey, payload);
  const meta: Field[] = [
    ['Event', routingKey],
    ['Date', formatDate(payload.date)],
    ['By user', formatValue(payload.user_id)],
  ];

  const text = [sentence, fields.length > 0 ? textTable(fields) : null, textTable(meta)]
    .filter((part): part is string => part !== null)
    .join('\n\n')
    .concat('\n');

  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">
<p>${escapeHtml(sentence)}</p>
${fields.length > 0 ? htmlTable(fields) : ''}
<p style="color:#666;font-size:12px;margin-top:16px">${meta
    .map(([label, value]) => `${escapeHtml(label)}: ${escapeHtml(value)}`)
    .join(' &middot; ')}</p>
</body>
</html>
`;
  return { subject, text, html };
}
