import 'reflect-metadata';
import { runApp } from '@mlops/platform';
import { createPromptGovernanceApp } from './app';

void runApp('prompt-governance', () => createPromptGovernanceApp());
