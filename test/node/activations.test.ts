/**
 * The table of elementwise maps (src/kernels/activations.ts) and the shaders agree: every unary map
 * has its formula in exactly one switch, shaders/activations.wgsl's `activation` for the fusable
 * ones (the fused epilogues apply those) and elementwise.wgsl's `unary_op` for the others; every
 * binary map has one case in `binary_op`; cases name the generated constants, never a number; the
 * codes are distinct and declared once; and the backward rules name binary maps that exist.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARY, codeDeclarations, codeName, UNARY, type BinaryOp, type UnaryOp } from '../../src/kernels/activations.js';

const shaders = resolve(import.meta.dirname, '../../shaders');
const read = (file: string): string => readFileSync(resolve(shaders, file), 'utf8');

/** The case labels of the first `switch` inside `fn name(`, in order (`default` left out). */
function switchCases(wgsl: string, name: string): string[] {
  const start = wgsl.indexOf(`fn ${name}(`);
  if (start < 0) throw new Error(`no fn ${name} in the shader`);
  const open = wgsl.indexOf('{', wgsl.indexOf('switch', start));
  let depth = 0;
  let end = open;
  for (; end < wgsl.length; end++) {
    if (wgsl[end] === '{') depth++;
    else if (wgsl[end] === '}' && --depth === 0) break;
  }
  const body = wgsl.slice(open, end).replace(/\/\/[^\n]*/g, '');
  return [...body.matchAll(/\bcase\s+([^:{]+?)\s*[:{]/g)].flatMap((m) => m[1]!.split(',').map((c) => c.trim()));
}

/** Mismatches between the table and the three switches (empty when they agree). */
function mismatches(activations: string, elementwise: string): string[] {
  const out: string[] = [];
  const expectCases = (where: string, got: string[], want: string[]): void => {
    for (const c of got) if (!/^(UNARY|BINARY)_[A-Z0-9_]+$/.test(c)) out.push(`${where}: case ${c} is not a generated code constant`);
    for (const c of new Set(got)) if (got.filter((g) => g === c).length > 1) out.push(`${where}: case ${c} appears twice`);
    for (const c of got) if (!want.includes(c)) out.push(`${where}: case ${c} is not in the table here`);
    for (const c of want) if (!got.includes(c)) out.push(`${where}: ${c} has no case`);
  };
  const unary = Object.entries(UNARY) as [UnaryOp, (typeof UNARY)[UnaryOp]][];
  expectCases('activations.wgsl activation', switchCases(activations, 'activation'), unary.filter(([, m]) => m.fusable).map(([op]) => codeName('UNARY', op)));
  expectCases('elementwise.wgsl unary_op', switchCases(elementwise, 'unary_op'), unary.filter(([, m]) => !m.fusable).map(([op]) => codeName('UNARY', op)));
  expectCases('elementwise.wgsl binary_op', switchCases(elementwise, 'binary_op'), Object.keys(BINARY).map((op) => codeName('BINARY', op)));
  return out;
}

describe('elementwise map table vs shaders', () => {
  const activations = read('activations.wgsl');
  const elementwise = read('elementwise.wgsl');

  it('every map has its formula in exactly one switch, by its generated constant', () => {
    expect(mismatches(activations, elementwise)).toEqual([]);
  });

  it('fails on a map missing from the WGSL, a stray case, a number for a code or a duplicate', () => {
    const noRelu6 = activations.replace(/case UNARY_RELU6:[^\n]*\n/, '');
    expect(mismatches(noRelu6, elementwise)).toEqual(['activations.wgsl activation: UNARY_RELU6 has no case']);
    const movedExp = activations.replace('case UNARY_RELU:', 'case UNARY_EXP: { return exp(x); }\n    case UNARY_RELU:');
    expect(mismatches(movedExp, elementwise)).toEqual(['activations.wgsl activation: case UNARY_EXP is not in the table here']);
    const literal = elementwise.replace('case UNARY_SIN:', 'case 28u:');
    expect(mismatches(activations, literal)).toEqual([
      'elementwise.wgsl unary_op: case 28u is not a generated code constant',
      'elementwise.wgsl unary_op: case 28u is not in the table here',
      'elementwise.wgsl unary_op: UNARY_SIN has no case',
    ]);
    const twice = elementwise.replace('case BINARY_ADD:', 'case BINARY_MUL:');
    expect(mismatches(activations, twice)).toEqual([
      'elementwise.wgsl binary_op: case BINARY_MUL appears twice',
      'elementwise.wgsl binary_op: BINARY_ADD has no case',
    ]);
  });

  it('codes are distinct, declared once each, and backward rules name existing binary maps', () => {
    const unaryCodes = Object.values(UNARY).map((m) => m.code);
    expect(new Set(unaryCodes).size).toBe(unaryCodes.length);
    const binaryCodes = Object.values(BINARY);
    expect(new Set(binaryCodes).size).toBe(binaryCodes.length);
    const decls = codeDeclarations();
    for (const [op, m] of Object.entries(UNARY)) expect(decls).toContain(`const ${codeName('UNARY', op)}: u32 = ${m.code}u;`);
    for (const [op, code] of Object.entries(BINARY)) expect(decls).toContain(`const ${codeName('BINARY', op)}: u32 = ${code}u;`);
    const names = [...decls.matchAll(/const (\w+):/g)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    for (const m of Object.values(UNARY)) if (m.grad !== 'composed') expect(Object.keys(BINARY)).toContain(m.grad.op satisfies BinaryOp);
    // The shaders spell no code themselves: no hand-written UNARY_/BINARY_ declarations.
    expect(activations + elementwise + read('epilogue.wgsl')).not.toMatch(/const (UNARY|BINARY)_/);
  });
});
