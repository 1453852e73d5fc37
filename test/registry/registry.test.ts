import { sqliteBackend } from '../track/backends.js';
import { registryContract } from './contract.js';

registryContract(sqliteBackend());
