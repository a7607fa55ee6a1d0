import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createEvaluationApp } from './app';

void runApp('evaluation', () => createEvaluationApp());
