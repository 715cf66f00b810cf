/** What a JQL clause can look at in an issue. */
export interface JqlSubject {
  projectKey: string;
  summary: string;
  /** Summary, description and comments: what `text ~` searches. */
  text: string;
}

export interface JqlQuery {
  matches(subject: JqlSubject): boolean;
  /** The first `ORDER BY` key when the fake can sort by it; otherwise issues stay in creation order. */
  order?: { field: 'key' | 'created' | 'updated' | 'summary'; direction: 1 | -1 };
}

interface Token {
  kind: 'word' | 'string' | 'operator';
  value: string;
}

const TOKEN = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|!~|>=|<=|[=~(),<>])|([^\s=~(),!<>"']+))/y;
const SORTABLE: Record<string, NonNullable<JqlQuery['order']>['field']> = { key: 'key', issuekey: 'key', created: 'created', createddate: 'created', updated: 'updated', updateddate: 'updated', summary: 'summary' };

/**
 * The small JQL the fake Jira understands: `project = KEY` / `project in (A, B)` (key, name or id),
 * `text ~ "words"` and `summary ~ "words"`, joined by AND, with an optional ORDER BY. Anything else is answered
 * as Jira answers a query it cannot run, so a test never gets results for a query the fake did not evaluate.
 */
export function compileJql(jql: unknown, projects: { id: string; key: string; name: string }[]): JqlQuery | { error: string } {
  const tokens = tokenize(String(jql ?? ''));
  if ('error' in tokens) return tokens;
  const clauses: ((subject: JqlSubject) => boolean)[] = [];
  let order: JqlQuery['order'];
  let at = 0;
  const peekWord = (offset = 0) => (tokens[at + offset]?.kind === 'word' ? tokens[at + offset].value.toLowerCase() : undefined);

  while (at < tokens.length) {
    if (peekWord() === 'order' && peekWord(1) === 'by') {
      const field = tokens[at + 2];
      if (!field || field.kind === 'operator') return syntaxError(`Expecting a field name after 'ORDER BY'.`);
      const sortable = SORTABLE[field.value.toLowerCase()];
      const direction = peekWord(3) === 'desc' ? -1 : 1;
      if (sortable) order = { field: sortable, direction };
      // Further sort keys (", rank ASC") only break ties, which creation order already does.
      break;
    }
    const clause = parseClause(tokens, at, projects);
    if ('error' in clause) return clause;
    clauses.push(clause.test);
    at = clause.next;
    if (at >= tokens.length) break;
    if (peekWord() === 'and') {
      at++;
      if (at >= tokens.length) return syntaxError(`Expecting a field name but reached the end of the query.`);
    } else if (peekWord() !== 'order') {
      return unsupported(`'${tokens[at].value}' (only AND joins clauses here)`);
    }
  }
  return { matches: (subject) => clauses.every((test) => test(subject)), order };
}

function parseClause(tokens: Token[], at: number, projects: { id: string; key: string; name: string }[]): { test: (subject: JqlSubject) => boolean; next: number } | { error: string } {
  const field = tokens[at];
  if (field.kind === 'operator') return syntaxError(`Expecting a field name but got '${field.value}'.`);
  const name = field.value.toLowerCase();
  const operator = tokens[at + 1];
  if (!operator) return syntaxError(`Expecting an operator after '${field.value}'.`);

  if (name === 'project') {
    const values: Token[] = [];
    let next: number;
    if (operator.value === '=') {
      if (!tokens[at + 2] || tokens[at + 2].kind === 'operator') return syntaxError(`Expecting a value after 'project ='.`);
      values.push(tokens[at + 2]);
      next = at + 3;
    } else if (operator.kind === 'word' && operator.value.toLowerCase() === 'in' && tokens[at + 2]?.value === '(') {
      next = at + 3;
      while (tokens[next] && tokens[next].value !== ')') {
        if (tokens[next].kind === 'operator' && tokens[next].value !== ',') return syntaxError(`Unexpected '${tokens[next].value}' in the project list.`);
        if (tokens[next].value !== ',') values.push(tokens[next]);
        next++;
      }
      if (!tokens[next]) return syntaxError(`Expecting ')' to close the project list.`);
      next++;
    } else {
      return unsupported(`'project ${operator.value}'`);
    }
    const keys = new Set<string>();
    for (const value of values) {
      const project = projects.find((p) => [p.key.toLowerCase(), p.name.toLowerCase(), p.id].includes(value.value.toLowerCase()));
      // Jira's answer for a project that does not exist (or is hidden), without the JQL prefix.
      if (!project) return { error: `The value '${value.value}' does not exist for the field 'project'.` };
      keys.add(project.key);
    }
    return { test: (subject) => keys.has(subject.projectKey), next };
  }

  if (name === 'text' || name === 'summary') {
    if (operator.value !== '~') return unsupported(`'${field.value} ${operator.value}'`);
    const value = tokens[at + 2];
    if (!value || value.kind === 'operator') return syntaxError(`Expecting a value after '${field.value} ~'.`);
    const terms = words(value.value);
    if (terms.length === 0) return syntaxError(`The text query '${value.value}' has no words to search for.`);
    return { test: (subject) => includesAll(name === 'text' ? subject.text : subject.summary, terms), next: at + 3 };
  }

  return unsupported(`the field '${field.value}'`);
}

function tokenize(jql: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < jql.length) {
    if (!jql.slice(TOKEN.lastIndex).trim()) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(jql);
    if (!match) return syntaxError(`The character '${jql.slice(start).trim()[0]}' is not allowed here.`);
    const [, doubleQuoted, singleQuoted, operator, word] = match;
    if (operator !== undefined) tokens.push({ kind: 'operator', value: operator });
    else if (word !== undefined) tokens.push({ kind: 'word', value: word });
    else tokens.push({ kind: 'string', value: (doubleQuoted ?? singleQuoted).replace(/\\(.)/g, '$1') });
  }
  return tokens;
}

/** `~` matches words, not substrings; a word matching as a prefix stands in for Jira's stemming. */
function includesAll(text: string, terms: string[]): boolean {
  const textWords = words(text);
  return terms.every((term) => textWords.some((word) => word.startsWith(term)));
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function syntaxError(detail: string): { error: string } {
  return { error: `Error in the JQL Query: ${detail}` };
}

function unsupported(what: string): { error: string } {
  return syntaxError(`the fake Jira does not support ${what}; it understands project =, project in, text ~ and summary ~ joined by AND, and ORDER BY.`);
}
