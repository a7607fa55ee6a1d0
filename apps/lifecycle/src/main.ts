import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createLifecycleApp } from './app';

void runApp('lifecycle', () => createLifecycleApp());
