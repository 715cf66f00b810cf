/** The issue facts a dynamic webhook's JQL filter can look at. */
export interface WebhookJqlSubject {
  issueKey: string;
  projectKey: string;
  issueType: string;
  status: string;
  assignee: string | null;
  reporter: string | null;
}

export type WebhookJqlFilter = { matches(subject: WebhookJqlSubject): boolean } | { error: string };

const FIELDS: Record<string, (subject: WebhookJqlSubject) => string | null> = {
  issuekey: (subject) => subject.issueKey,
  key: (subject) => subject.issueKey,
  project: (subject) => subject.projectKey,
  issuetype: (subject) => subject.issueType,
  type: (subject) => subject.issueType,
  status: (subject) => subject.status,
  assignee: (subject) => subject.assignee,
  reporter: (subject) => subject.reporter,
};
const TOKEN = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|=|\(|\)|,|[<>~]=?|!~)|([^\s=!<>~(),"']+))/y;

/**
 * The subset of JQL Jira accepts in a dynamic webhook's `jqlFilter`: fields issueKey, project, issuetype, status,
 * assignee, reporter; operators `=`, `!=`, `IN`, `NOT IN`; clauses joined by AND / OR. Anything else is refused
 * the way Jira refuses it (e.g. `Operator is not is unsupported`), and an empty filter is refused too.
 */
export function compileWebhookJql(jql: unknown): WebhookJqlFilter {
  const text = typeof jql === 'string' ? jql.trim() : '';
  if (!text) return { error: 'The JQL filter must not be empty' };
  const tokens: { kind: 'word' | 'string' | 'op'; value: string }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (!text.slice(TOKEN.lastIndex).trim()) break;
    const match = TOKEN.exec(text);
    if (!match) return { error: `Error in the JQL Query: the character '${text.slice(TOKEN.lastIndex).trim()[0]}' is not allowed here` };
    const [, double, single, op, word] = match;
    if (op !== undefined) tokens.push({ kind: 'op', value: op });
    else if (word !== undefined) tokens.push({ kind: 'word', value: word });
    else tokens.push({ kind: 'string', value: (double ?? single).replace(/\\(.)/g, '$1') });
  }

  type Test = (subject: WebhookJqlSubject) => boolean;
  const alternatives: Test[][] = [[]];
  let at = 0;
  const word = (offset = 0) => (tokens[at + offset]?.kind === 'word' ? tokens[at + offset].value.toLowerCase() : undefined);
  while (at < tokens.length) {
    const field = tokens[at];
    const read = FIELDS[field.value.toLowerCase()];
    if (field.kind !== 'word' || !read) return { error: `Field ${field.value} is unsupported` };
    at++;
    let operator: string;
    if (tokens[at]?.kind === 'op' && (tokens[at].value === '=' || tokens[at].value === '!=')) {
      operator = tokens[at++].value;
    } else if (word() === 'in') {
      operator = 'in';
      at++;
    } else if (word() === 'not' && word(1) === 'in') {
      operator = 'not in';
      at += 2;
    } else {
      const shown = [tokens[at]?.value, word() === 'is' || word() === 'not' ? tokens[at + 1]?.value : undefined].filter(Boolean).join(' ').toLowerCase();
      return { error: `Operator ${shown || '(none)'} is unsupported` };
    }
    const values: (string | null)[] = [];
    const value = (token: (typeof tokens)[number] | undefined) =>
      !token || token.kind === 'op' ? undefined : token.kind === 'word' && ['null', 'empty'].includes(token.value.toLowerCase()) ? null : token.value.toLowerCase();
    if (operator === 'in' || operator === 'not in') {
      if (tokens[at]?.value !== '(') return { error: `Error in the JQL Query: expecting '(' after ${operator.toUpperCase()}` };
      at++;
      while (at < tokens.length && tokens[at].value !== ')') {
        if (tokens[at].value !== ',') {
          const item = value(tokens[at]);
          if (item === undefined) return { error: `Error in the JQL Query: unexpected '${tokens[at].value}'` };
          values.push(item);
        }
        at++;
      }
      if (tokens[at]?.value !== ')') return { error: `Error in the JQL Query: expecting ')'` };
      at++;
    } else {
      const item = value(tokens[at]);
      if (item === undefined) return { error: `Error in the JQL Query: expecting a value after '${operator}'` };
      values.push(item);
      at++;
    }
    const negate = operator === '!=' || operator === 'not in';
    alternatives[alternatives.length - 1].push((subject) => {
      const actual = read(subject);
      const found = values.some((expected) => (expected === null ? actual === null : actual !== null && actual.toLowerCase() === expected));
      return negate ? !found : found;
    });
    if (at >= tokens.length) break;
    if (word() === 'and') {
      at++;
    } else if (word() === 'or') {
      at++;
      alternatives.push([]);
    } else return { error: `Error in the JQL Query: expecting AND or OR but got '${tokens[at].value}'` };
    if (at >= tokens.length) return { error: 'Error in the JQL Query: expecting a field name at the end of the query' };
  }
  return { matches: (subject) => alternatives.some((clauses) => clauses.every((test) => test(subject))) };
}
