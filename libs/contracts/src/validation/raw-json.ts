const RAW_JSON_PROPERTIES = Symbol('rawJsonProperties');

type WithRawJson = { [RAW_JSON_PROPERTIES]?: string[] };

/**
 * Marks a property that holds a customer's JSON object, to be delivered exactly as parsed.
 * class-transformer drops `constructor` and `__proto__` keys at every depth, and Nest's ValidationPipe
 * deletes them (and `prototype`) in place, their guards against prototype pollution: a payload would lose
 * them on the way to the receiver, or fail to parse. JSON.parse stores such keys as plain own properties,
 * and a payload is only ever re-serialised, never merged into another object.
 */
export function RawJson(): PropertyDecorator {
  return (target, property) => {
    const holder = target as WithRawJson;
    holder[RAW_JSON_PROPERTIES] = [...(holder[RAW_JSON_PROPERTIES] ?? []), String(property)];
  };
}

/**
 * Sets a message's @RawJson objects aside before it goes through class-transformer and class-validator:
 * they see an empty object in their place (so `@IsObject()` still holds), and `restore` puts the parsed
 * objects back on the result. Values that are not JSON objects stay, so validation still rejects them.
 */
export function setRawJsonAside<T>(
  messageClass: new () => T,
  plain: unknown,
): { plain: unknown; restore: <I extends object>(instance: I) => I } {
  const properties = (messageClass.prototype as WithRawJson)[RAW_JSON_PROPERTIES] ?? [];
  if (properties.length === 0 || !isJsonObject(plain)) return { plain, restore: (instance) => instance };
  const setAside = new Map<string, unknown>();
  const stripped: Record<string, unknown> = { ...plain };
  for (const property of properties) {
    if (isJsonObject(plain[property])) {
      setAside.set(property, plain[property]);
      stripped[property] = {};
    }
  }
  return {
    plain: stripped,
    restore: (instance) => {
      for (const [property, value] of setAside) {
        Object.defineProperty(instance, property, { value, enumerable: true, writable: true, configurable: true });
      }
      return instance;
    },
  };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
