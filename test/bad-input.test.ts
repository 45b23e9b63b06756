import * as fs from 'node:fs';
import * as path from 'node:path';
import { BAD_INPUTS, BadInput } from './bad-input';
import { testStack } from './util';

const CATALOG = path.join(__dirname, '..', 'docs', 'bad-input-catalog.md');

/** What building `row` throws, or undefined when it does not throw. */
function errorOf(row: BadInput): string | undefined {
  try {
    row.build(testStack());
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const cell = (text: string) => `\`${text.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;

/** The catalog as Markdown: one row per bad input. */
function catalogMarkdown(): string {
  return [
    '# Bad input catalog',
    '',
    '<!-- Generated from test/bad-input.ts by test/bad-input.test.ts (UPDATE_CATALOG=1 npx jest test/bad-input.test.ts); do not edit. -->',
    '',
    `Each of these ${BAD_INPUTS.length} inputs fails at synth time (\`cdk synth\`), before anything is deployed, with an error that`,
    'names the construct path, the property and the value, and says what would be valid.',
    '',
    '| input | property | invalid value | the error says |',
    '| --- | --- | --- | --- |',
    ...BAD_INPUTS.map((row) => `| \`${row.input}\` | ${cell(row.property)} | ${cell(row.value)} | ${row.valid.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}

test('the catalog has at least 40 rows', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
});

describe('every bad input fails at synth with the property, the value and what would be valid', () => {
  test.each(BAD_INPUTS.map((row, i) => [`${i + 1}. ${row.input} ${row.property} = ${row.value}`, row] as const))('%s', (_, row) => {
    const message = errorOf(row);
    expect(message).toBeDefined();
    expect(message).toMatch(/^TestStack\//); // the construct path
    expect(message).toContain(row.property);
    expect(message).toContain(row.value);
    expect(message).toContain(row.valid);
  });
});

test('docs/bad-input-catalog.md is generated from these rows', () => {
  if (process.env.UPDATE_CATALOG) fs.writeFileSync(CATALOG, catalogMarkdown());
  expect(fs.readFileSync(CATALOG, 'utf8')).toBe(catalogMarkdown());
});

test('README links the catalog', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')).toContain('(docs/bad-input-catalog.md)');
});
