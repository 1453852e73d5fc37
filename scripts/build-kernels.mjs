// Compiles the AssemblyScript kernels to build/kernels.wasm (filled in by the engine work).
console.log('build-kernels: no kernels yet');
