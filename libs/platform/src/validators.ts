import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, Matches } from 'class-validator';

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
