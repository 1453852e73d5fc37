import { sqliteBackend } from '../track/backends.js';
import { sweepStoreContract } from './contract.js';

sweepStoreContract(sqliteBackend());
