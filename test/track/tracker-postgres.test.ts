import { postgresBackend } from './backends.js';
import { trackingContract } from './contract.js';

trackingContract(postgresBackend());
