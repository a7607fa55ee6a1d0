import { applyDecorators } from '@nestjs/common';
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
