import { KafkaTopic } from '@app/contracts';
import { StoredDeadLetter } from './dead-letter-reader';

const HEX_DUMP_WIDTH = 16;

/** One line per letter: id, when it failed, why. */
export function deadLetterLines(letters: StoredDeadLetter[], sourceTopic?: string): string[] {
  const heading = `${letters.length} dead letter(s)${sourceTopic ? ` from ${sourceTopic}` : ''}`;
  if (letters.length === 0) return [heading];
  const width = Math.max(...letters.map(({ id }) => id.length));
  return [
    `${heading}:`,
    ...letters.map(({ id, letter, copies }) => {
      const repeated = copies > 1 ? ` (dead-lettered ${copies} times)` : '';
      return `${id.padEnd(width)}  ${letter.failedAt}  ${oneLine(letter.reason)}${repeated}`;
    }),
  ];
}

/** A letter in full: where it came from, why it failed, and its original key and bytes. */
export function deadLetterDetails({ id, letter, partition, offset, copies }: StoredDeadLetter): string[] {
  const value = originalBytes(letter.valueBase64);
  const size = letter.valueTruncated
    ? `first ${value?.length} of ${letter.valueBytes} bytes (the whole message is at the source offset until retention)`
    : `${value?.length ?? 0} bytes`;
  return [
    `id:         ${id}`,
    `source:     ${letter.sourceTopic}, partition ${letter.partition}, offset ${letter.offset}`,
    `failed at:  ${letter.failedAt}${copies > 1 ? ` (dead-lettered ${copies} times)` : ''}`,
    `reason:     ${oneLine(letter.reason)}`,
    `stored at:  ${KafkaTopic.DeadLetter}, partition ${partition}, offset ${offset}`,
    `key:        ${describeKey(originalBytes(letter.keyBase64))}`,
    value === null ? 'value:      none' : `value:      ${size}, ${isText(value) ? 'as text' : 'binary, as hex'}:`,
    ...(value === null ? [] : isText(value) ? [value.toString('utf8')] : hexDump(value)),
  ];
}

export function originalBytes(base64: string | null): Buffer | null {
  return base64 === null ? null : Buffer.from(base64, 'base64');
}

function describeKey(key: Buffer | null): string {
  if (key === null) return 'none';
  return isText(key) ? key.toString('utf8') : `binary (base64) ${key.toString('base64')}`;
}

/** UTF-8 without control characters other than tab and line breaks: safe to print to a terminal as it is. */
function isText(bytes: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return ![...text].some((char) => isControl(char.charCodeAt(0)));
  } catch {
    return false;
  }
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

function hexDump(bytes: Buffer): string[] {
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; start += HEX_DUMP_WIDTH) {
    const row = bytes.subarray(start, start + HEX_DUMP_WIDTH);
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`${start.toString(16).padStart(8, '0')}  ${hex.padEnd(HEX_DUMP_WIDTH * 3 - 1)}  |${ascii}|`);
  }
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
