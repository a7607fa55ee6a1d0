import type { Type } from '@nestjs/common';

/**
 * The MLflow REST 2.0 facade's controllers and providers, registered in app.ts beside our own API.
 * Each half (tracking; registry, artifacts, logged models) adds its own here.
 */
export const mlflowControllers: Type<unknown>[] = [];
export const mlflowProviders: Type<unknown>[] = [];
