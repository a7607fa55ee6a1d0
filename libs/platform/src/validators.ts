import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, Matches, registerDecorator, ValidationOptions } from 'class-validator';

/** A model name, the same rule in every domain that refers to one: 1–128 letters, digits, `.`, `_` or `-`, not starting with a symbol. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A metric or parameter key (MLflow's rule): 1–250 letters, digits, `_ . - /` or spaces. */
export const METRIC_KEY = /^[A-Za-z0-9_.\-/ ]{1,250}$/;

/** A JSON object as parsed from a body: not null, not an array, not a class instance. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/** A property validator from a predicate; the message follows the property's name (`config must be …`). */
export function custom(name: string, message: string, validate: (value: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message: `${propertyName} ${message}`, ...options }, validator: { validate } });
}

/** An ISO-8601 instant that normalises to a fixed-width UTC string (so strings sort as times). */
export const IsInstant = (options?: ValidationOptions) =>
  custom(
    'isInstant',
    'must be an ISO-8601 date-time with a time zone, between years 1970 and 9999',
    (value) => {
      if (typeof value !== 'string' || !/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return false;
      const time = Date.parse(value);
      return Number.isFinite(time) && time >= 0 && time < Date.UTC(10000, 0, 1);
    },
    options,
  );

/** A tag: 1–128 characters, no white space, never starting with `$` (it is a value, never a key). */
export const TAG_PATTERN = /^[^$\s][^\s]{0,127}$/;

/** An optional list of up to 64 distinct tags — the one rule for tags across the API. */
export const OptionalTags = () =>
  applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(64),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(TAG_PATTERN, { each: true, message: 'tags must be 1-128 characters without spaces, not starting with $' }),
  );

const digitsToNumber = (value: unknown) => (typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value);

/**
 * A version number also accepted as a digit string (`"3"`, as MLflow's clients send them): only
 * plain digits convert, so `"3.0"`, `"0x3"` or `" 3"` still fail the integer check.
 */
export const IntegerFromDigits = () => Transform(({ value }: { value: unknown }) => digitsToNumber(value), { toClassOnly: true });

/** The same for each member of a list of version numbers. */
export const IntegersFromDigits = () =>
  Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map(digitsToNumber) : value), { toClassOnly: true });
