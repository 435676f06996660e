// One console app for every benchmark: `dotnet run -c Release --project bench/LowResGen.Bench -- <name> [options]`.
return args.FirstOrDefault() switch
{
    "embedded" => await LowResGen.Bench.EmbeddedBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage: LowResGen.Bench <benchmark> [options]. Benchmarks: embedded");
    return 2;
}
