import { attemptIdOf } from './delivery-log.v1';
import { derivedUuidOf } from './derived-uuid';

const VERSION_5_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('derivedUuidOf', () => {
  it('names the same fact with the same version 5 UUID, and different facts with different ones', () => {
    const ids = ['a', 'a', 'b', 'attempt:c-1:wh-1'].map(derivedUuidOf);
    for (const id of ids) expect(id).toMatch(VERSION_5_UUID);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('attemptIdOf', () => {
  it('gives a replayed command the id of the attempt it made, and each webhook of a command its own', () => {
    expect(attemptIdOf('initial:ev-1:wh-1', 'wh-1')).toBe(attemptIdOf('initial:ev-1:wh-1', 'wh-1'));
    expect(attemptIdOf('cmd-1', 'wh-1')).not.toBe(attemptIdOf('cmd-1', 'wh-2'));
    expect(attemptIdOf('cmd-1', 'wh-1')).not.toBe(attemptIdOf('cmd-2', 'wh-1'));
  });
});
