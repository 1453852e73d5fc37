import { postgresBackend } from '../track/backends.js';
import { sweepStoreContract } from './contract.js';

sweepStoreContract(postgresBackend());
