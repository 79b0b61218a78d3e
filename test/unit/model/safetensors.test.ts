import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../../../src/qrpo/errors';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const dir = temporaryFolder();

/** A safetensors file assembled byte by byte: u64 LE header length, header text, then raw data. */
function assemble(name: string, header: string, data: Uint8Array = new Uint8Array(0)): string {
  const headerBytes = Buffer.from(header, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([length, headerBytes, data]));
  return path;
}

async function assertOpenFails(path: string, message: string): Promise<void> {
  await assert.rejects(SafetensorsFile.open(path), (error: Error) => {
    assert.ok(error instanceof ModelFormatError, `expected ModelFormatError, got ${error}`);
    assert.equal(error.message, message);
    return true;
  });
  assert.throws(() => SafetensorsFile.openSync(path), { name: 'ModelFormatError', message });
}

describe('safetensors round trip', () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    test(`${dtype}: written values read back (exactly representable ones exactly)`, async () => {
      const values = Float32Array.of(0, 1, -2, 0.5, 0.25, -0.125, 3, 96, 1024, -0);
      const path = join(dir, `roundtrip-${dtype}.safetensors`);
      await writeSafetensors(path, { 'layer.weight': { dtype, shape: [2, 5], data: values } });
      const file = await SafetensorsFile.open(path);
      const end = values.length * (dtype === 'F32' ? 4 : 2);
      assert.deepEqual(file.info('layer.weight'), { name: 'layer.weight', dtype, shape: [2, 5], begin: 0, end, file: path });
      assert.deepEqual(await file.readFloat32('layer.weight'), values);
      assert.deepEqual(SafetensorsFile.openSync(path).readFloat32Sync('layer.weight'), values);
    });
  }

  test('F16 and BF16 writes round to nearest even; F32 is bit exact', async () => {
    const path = join(dir, 'rounding.safetensors');
    const data = Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, 1e-8, 70000);
    await writeSafetensors(path, {
      f32: { dtype: 'F32', shape: [5], data },
      f16: { dtype: 'F16', shape: [5], data },
      bf16: { dtype: 'BF16', shape: [5], data },
    });
    const file = await SafetensorsFile.open(path);
    assert.deepEqual(await file.readFloat32('f32'), data);
    assert.deepEqual([...(await file.readRaw('f16'))], [0x3c00, 0x3c02, 0x2e66, 0x0000, 0x7c00]);
    assert.deepEqual([...(await file.readRaw('bf16'))], [0x3f80, 0x3f80, 0x3dcd, 0x322c, 0x4789]);
  });

  test('the writer lays the file out like the Python library: sorted by element size then name, padded header', async () => {
    const path = join(dir, 'layout.safetensors');
    await writeSafetensors(
      path,
      { b: { dtype: 'F16', shape: [3], data: Float32Array.of(1, 2, 3) }, a: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } },
      { format: 'pt' },
    );
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const expectedJson =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[3],"data_offsets":[8,14]}}';
    assert.equal((8 + headerLength) % 8, 0);
    assert.equal(bytes.subarray(8, 8 + headerLength).toString('utf8'), expectedJson.padEnd(headerLength, ' '));
    assert.equal(bytes.length, 8 + headerLength + 14);
    assert.deepEqual((await SafetensorsFile.open(path)).metadata, { format: 'pt' });
  });

  test('an empty tensor and a scalar survive the round trip', async () => {
    const path = join(dir, 'edge-shapes.safetensors');
    await writeSafetensors(path, {
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      scalar: { dtype: 'BF16', shape: [], data: Float32Array.of(2) },
    });
    const file = await SafetensorsFile.open(path);
    assert.deepEqual(await file.readFloat32('empty'), new Float32Array(0));
    assert.deepEqual(await file.readFloat32('scalar'), Float32Array.of(2));
    assert.deepEqual(file.info('scalar')?.shape, []);
  });

  test('writing replaces the file atomically and rejects data that does not fill the shape', async () => {
    const path = join(dir, 'atomic.safetensors');
    await writeSafetensors(path, { x: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } });
    await assert.rejects(writeSafetensors(path, { x: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3) } }), {
      name: 'ArgumentError',
      message: 'tensor "x" has 3 values but shape [2,2]',
    });
    assert.deepEqual(await (await SafetensorsFile.open(path)).readFloat32('x'), Float32Array.of(1));
  });
});

describe('safetensors files written by other tools', () => {
  // Header text and little-endian bytes typed out by hand, as the Python library writes them (plus odd padding),
  // so the reader is checked against the format rather than against our own writer.
  const header =
    '{"__metadata__":{"format":"pt"},' +
    '"a.f64":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},' +
    '"b.i64":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},' +
    '"c.f32":{"dtype":"F32","shape":[2,2],"data_offsets":[32,48]},' +
    '"d.i32":{"dtype":"I32","shape":[1],"data_offsets":[48,52]},' +
    '"e.f16":{"dtype":"F16","shape":[2],"data_offsets":[52,56]},' +
    '"f.bf16":{"dtype":"BF16","shape":[2],"data_offsets":[56,60]},' +
    '"g.i8":{"dtype":"I8","shape":[2],"data_offsets":[60,62]},' +
    '"h.u8":{"dtype":"U8","shape":[1],"data_offsets":[62,63]},' +
    '"i.bool":{"dtype":"BOOL","shape":[1],"data_offsets":[63,64]},' +
    '"j.scalar":{"dtype":"F32","shape":[],"data_offsets":[64,68]}}   ';
  const data = Buffer.from(
    [
      '000000000000f83f 00000000000000c0', // F64 1.5, -2
      '0700000000000000 ffffffffffffffff', // I64 7, -1
      '0000803f 00000040 00004040 00008040', // F32 1, 2, 3, 4
      'fbffffff', // I32 -5
      '003c 00b8', // F16 1, -0.5
      '803f 4040', // BF16 1, 3
      'fd04', // I8 -3, 4
      'c8', // U8 200
      '01', // BOOL true
      '0000803e', // F32 0.25
    ]
      .join('')
      .replace(/ /g, ''),
    'hex',
  );
  const path = assemble('handmade.safetensors', header, data);

  test('every dtype reads as its typed array, floats also as float32', async () => {
    const file = await SafetensorsFile.open(path);
    assert.deepEqual(file.names(), ['a.f64', 'b.i64', 'c.f32', 'd.i32', 'e.f16', 'f.bf16', 'g.i8', 'h.u8', 'i.bool', 'j.scalar']);
    assert.deepEqual(file.metadata, { format: 'pt' });
    assert.deepEqual(await file.readRaw('a.f64'), Float64Array.of(1.5, -2));
    assert.deepEqual(await file.readRaw('b.i64'), BigInt64Array.of(7n, -1n));
    assert.deepEqual(await file.readRaw('d.i32'), Int32Array.of(-5));
    assert.deepEqual(await file.readRaw('g.i8'), Int8Array.of(-3, 4));
    assert.deepEqual(await file.readRaw('h.u8'), Uint8Array.of(200));
    assert.deepEqual(await file.readRaw('i.bool'), Uint8Array.of(1));
    assert.deepEqual(await file.readFloat32('a.f64'), Float32Array.of(1.5, -2));
    assert.deepEqual(await file.readFloat32('c.f32'), Float32Array.of(1, 2, 3, 4));
    assert.deepEqual(await file.readFloat32('e.f16'), Float32Array.of(1, -0.5));
    assert.deepEqual(await file.readFloat32('f.bf16'), Float32Array.of(1, 3));
    assert.deepEqual(await file.readFloat32('j.scalar'), Float32Array.of(0.25));
    assert.deepEqual(file.readFloat32Sync('e.f16'), Float32Array.of(1, -0.5));
  });

  test('integer tensors are not parameters', async () => {
    const file = await SafetensorsFile.open(path);
    await assert.rejects(file.readFloat32('b.i64'), {
      name: 'ModelFormatError',
      message: `${path}: tensor "b.i64" has dtype I64, which cannot be read as float32 parameters`,
    });
    await assert.rejects(file.readRaw('nope'), { message: `${path} has no tensor named "nope"` });
  });

  test('tensors are read on demand: a file cut short after opening fails when the tensor is read', async () => {
    const copy = join(dir, 'cut-after-open.safetensors');
    writeFileSync(copy, readFileSync(path));
    const file = await SafetensorsFile.open(copy);
    truncateSync(copy, 8 + Buffer.byteLength(header) + 20);
    assert.deepEqual(await file.readFloat32('a.f64'), Float32Array.of(1.5, -2));
    await assert.rejects(file.readFloat32('c.f32'), {
      message: `${copy} ended at byte ${8 + Buffer.byteLength(header) + 32} while reading it; was it truncated or replaced after it was opened?`,
    });
  });
});

describe('safetensors validation', () => {
  const tensor = (entry: object) => JSON.stringify({ w: entry });

  test('a file shorter than the 8-byte length prefix', async () => {
    const path = join(dir, 'tiny.safetensors');
    writeFileSync(path, Buffer.from([1, 2, 3, 4, 5]));
    await assertOpenFails(path, `${path} is not a safetensors file: it holds 5 bytes, fewer than the 8-byte header length`);
  });

  test('a header length larger than the file', async () => {
    const path = join(dir, 'long-header.safetensors');
    const bytes = Buffer.alloc(18);
    bytes.writeBigUInt64LE(1000n);
    writeFileSync(path, bytes);
    await assertOpenFails(path, `${path} is not a safetensors file: its header length field says 1000 bytes but only 10 bytes follow it`);
  });

  test('a header that is not JSON', async () => {
    const path = assemble('not-json.safetensors', '{"w": {');
    let reason = '';
    try {
      JSON.parse('{"w": {');
    } catch (error) {
      reason = (error as Error).message;
    }
    await assertOpenFails(path, `${path} is not a safetensors file: its header is not valid JSON (${reason})`);
  });

  test('a header that is JSON but not an object', async () => {
    const path = assemble('array.safetensors', '[1, 2]');
    await assertOpenFails(path, `${path} is not a safetensors file: its header is an array, not a JSON object`);
  });

  test('an unknown dtype', async () => {
    const path = assemble('dtype.safetensors', tensor({ dtype: 'F7', shape: [1], data_offsets: [0, 1] }), new Uint8Array(1));
    await assertOpenFails(
      path,
      `${path}: tensor "w" has unknown dtype "F7" (known: F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2)`,
    );
  });

  test('a negative dimension', async () => {
    const path = assemble('negative.safetensors', tensor({ dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] }), new Uint8Array(8));
    await assertOpenFails(path, `${path}: tensor "w" has a negative dimension in shape [2,-1]`);
  });

  test('data_offsets that are not an ordered pair of byte offsets', async () => {
    for (const offsets of [[8, 0], [-4, 4], [0], 'x']) {
      const path = assemble('offsets.safetensors', tensor({ dtype: 'F32', shape: [1], data_offsets: offsets }), new Uint8Array(8));
      await assertOpenFails(path, `${path}: tensor "w" has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with 0 ≤ begin ≤ end`);
    }
  });

  test('data_offsets that do not match shape × dtype size', async () => {
    const path = assemble('size.safetensors', tensor({ dtype: 'BF16', shape: [2, 3], data_offsets: [0, 10] }), new Uint8Array(12));
    await assertOpenFails(path, `${path}: tensor "w" has data_offsets [0, 10] (10 bytes) but shape [2,3] of BF16 needs 12 bytes`);
  });

  test('overlapping tensors', async () => {
    const header = JSON.stringify({
      a: { dtype: 'F32', shape: [6], data_offsets: [0, 24] },
      gap: { dtype: 'F32', shape: [0], data_offsets: [8, 8] },
      b: { dtype: 'F32', shape: [6], data_offsets: [16, 40] },
    });
    const path = assemble('overlap.safetensors', header, new Uint8Array(40));
    await assertOpenFails(path, `${path}: tensors "a" and "b" overlap in the data section (bytes 0–24 and 16–40)`);
  });

  test('a truncated data section', async () => {
    const header = tensor({ dtype: 'F32', shape: [512, 512], data_offsets: [0, 1048576] }).replace('"w"', '"h.0.attn.c_attn.weight"');
    const path = assemble('model.safetensors', header, new Uint8Array(524288));
    await assertOpenFails(
      path,
      `${path} is truncated: tensor "h.0.attn.c_attn.weight" ends at byte 1048576 of the data section but the file holds only 524288 bytes of data`,
    );
  });

  test('a missing file or a folder', async () => {
    await assertOpenFails(join(dir, 'absent.safetensors'), `${join(dir, 'absent.safetensors')} does not exist`);
    await assertOpenFails(dir, `${dir} is a folder, not a safetensors file`);
  });
});
