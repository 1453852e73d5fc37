import { postgresBackend } from '../track/backends.js';
import { registryContract } from './contract.js';

registryContract(postgresBackend());
