/**
 * JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): a pure function from verdicts
 * to text. The dialect is the common one those tools read: `<testsuites>` holding one `<testsuite>`
 * per scenario, one `<testcase>` per check, `<failure message>` for a failed check, `<skipped
 * message>` for one that could not be decided, and `<system-out>` with the numbers.
 */

export interface JunitCase {
  /** The suite's subject (for resim: the scenario name). */
  classname: string;
  /** What was checked (for resim: the gate as written). */
  name: string;
  /** Set for a failed check: the one-line message and an optional longer text. */
  failure?: { message: string; text?: string };
  /** Set for a check that was neither passed nor failed. */
  skipped?: { message: string };
  /** Shown by most CI systems under the test case. */
  output?: string;
}

export interface JunitSuite {
  name: string;
  /** Seconds. */
  time?: number;
  properties?: Record<string, string | number>;
  cases: JunitCase[];
}

export function junitXml(suites: readonly JunitSuite[], name = 'resim check'): string {
  const count = (s: readonly JunitSuite[], pick: (c: JunitCase) => boolean) => s.reduce((k, suite) => k + suite.cases.filter(pick).length, 0);
  const totals = (s: readonly JunitSuite[]) =>
    `tests="${count(s, () => true)}" failures="${count(s, (c) => c.failure !== undefined)}" errors="0" skipped="${count(s, (c) => c.failure === undefined && c.skipped !== undefined)}"`;
  const time = suites.reduce((t, s) => t + (s.time ?? 0), 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${attr(name)}" ${totals(suites)} time="${seconds(time)}">`];
  for (const suite of suites) {
    out.push(`  <testsuite name="${attr(suite.name)}" ${totals([suite])} time="${seconds(suite.time ?? 0)}">`);
    const properties = Object.entries(suite.properties ?? {});
    if (properties.length > 0) {
      out.push('    <properties>');
      for (const [key, value] of properties) out.push(`      <property name="${attr(key)}" value="${attr(String(value))}"/>`);
      out.push('    </properties>');
    }
    for (const c of suite.cases) {
      const head = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="0"`;
      const body: string[] = [];
      if (c.failure) {
        const text = c.failure.text === undefined ? '' : content(c.failure.text);
        body.push(`      <failure message="${attr(c.failure.message)}" type="failure">${text}</failure>`);
      } else if (c.skipped) {
        body.push(`      <skipped message="${attr(c.skipped.message)}"/>`);
      }
      if (c.output !== undefined) body.push(`      <system-out>${content(c.output)}</system-out>`);
      out.push(body.length === 0 ? `${head}/>` : [`${head}>`, ...body, '    </testcase>'].join('\n'));
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
 * replaced by U+FFFD, so a stray control character in a scenario name never makes the file
 * unreadable; the five special characters are escaped.
 */
function clean(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\ufffd';
      continue;
    }
    const allowed = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
    out += allowed ? s[i]! : '\ufffd';
  }
  return out.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Attribute values: line breaks and tabs as character references, or parsers normalise them to spaces. */
function attr(s: string): string {
  return clean(s).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function content(s: string): string {
  return clean(s).replace(/\r/g, '&#13;');
}

function seconds(t: number): string {
  return Number.isFinite(t) && t >= 0 ? t.toFixed(3) : '0';
}
