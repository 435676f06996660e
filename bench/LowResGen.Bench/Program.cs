using LowResGen.Bench;

return args.FirstOrDefault() switch
{
    "served" => await ServedBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/LowResGen.Bench -- <benchmark> [options]");
    Console.Error.WriteLine("benchmarks: served");
    return 2;
}
