import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BAD_INPUTS, BAD_INPUT_WARNINGS, BadInput } from './bad-input';
import { testStack } from './util';

const CATALOG = path.join(__dirname, '..', 'docs', 'bad-input-catalog.md');

/**
 * What building `row` and synthesizing its app throws (checks that need the final template run
 * when the app is synthesized), or undefined; and the warnings of the synthesized stack, each as
 * `<construct path>: <message>`.
 */
function outcomeOf(row: BadInput): { error?: string; warnings: string[] } {
  const stack = testStack();
  try {
    row.build(stack);
    (stack.node.root as App).synth();
  } catch (e) {
    // aws-cdk-lib reports the checks it runs at synth as "[<path>] <message>" lines.
    const message = (e as Error).message;
    const validation = /^Validation failed with the following errors:\s+\[([^\]]+)\] ([\s\S]*)$/.exec(message);
    return { error: validation ? `${validation[1]}: ${validation[2]}` : message, warnings: [] };
  }
  return {
    warnings: Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => `${w.id.slice(1)}: ${w.entry.data}`),
  };
}

const cell = (text: string) => `\`${text.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;

function table(rows: BadInput[], says: string): string[] {
  return [
    `| input | property | invalid value | ${says} |`,
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| \`${row.input}\` | ${cell(row.property)} | ${cell(row.value)} | ${row.valid.replace(/\|/g, '\\|')} |`),
  ];
}

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
    ...table(BAD_INPUTS, 'the error says'),
    '',
    '## Warnings',
    '',
    `Each of these ${BAD_INPUT_WARNINGS.length} inputs synthesizes, with a warning that names the construct path, the property and the value:`,
    'it may be right (a region newer than the aws-cdk-lib of the app), or it works but not for what it is meant for.',
    '',
    ...table(BAD_INPUT_WARNINGS, 'the warning says'),
    '',
  ].join('\n');
}

test('the catalog has at least 40 rows', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
});

describe('every bad input fails at synth with the property, the value and what would be valid', () => {
  test.each(BAD_INPUTS.map((row, i) => [`${i + 1}. ${row.input} ${row.property} = ${row.value}`, row] as const))('%s', (_, row) => {
    const message = outcomeOf(row).error;
    expect(message).toBeDefined();
    expect(message).toMatch(/^TestStack\//); // the construct path
    expect(message).toContain(row.property);
    expect(message).toContain(row.value);
    expect(message).toContain(row.valid);
  });
});

describe('every input of the warnings synthesizes with a warning that names the property and the value', () => {
  test.each(BAD_INPUT_WARNINGS.map((row, i) => [`${i + 1}. ${row.input} ${row.property} = ${row.value}`, row] as const))('%s', (_, row) => {
    const { error, warnings } = outcomeOf(row);
    expect(error).toBeUndefined();
    const warning = warnings.find((w) => w.includes(row.valid));
    expect(warning).toBeDefined();
    expect(warning).toMatch(/^TestStack\//);
    expect(warning).toContain(row.property);
    expect(warning).toContain(row.value);
  });
});

test('docs/bad-input-catalog.md is generated from these rows', () => {
  if (process.env.UPDATE_CATALOG) fs.writeFileSync(CATALOG, catalogMarkdown());
  expect(fs.readFileSync(CATALOG, 'utf8')).toBe(catalogMarkdown());
});

test('README links the catalog', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')).toContain('(docs/bad-input-catalog.md)');
});
