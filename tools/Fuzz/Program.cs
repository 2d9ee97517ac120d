using System.Security.Cryptography;
using KafkaNative.Fuzz;
using KafkaNative.Fuzz.Capture;
using KafkaNative.Fuzz.Engine;

// Commands (see tools/Fuzz/README.md):
//   list                              the targets
//   run TARGET|all [SECONDS] [SEED]   in-process mutation fuzzing; findings go to tools/Fuzz/findings/TARGET
//   seeds TARGET DIR                  writes the target's corpus to DIR (AFL++'s -i)
//   afl TARGET                        SharpFuzz's AFL++ entry (run.sh starts it under afl-fuzz)
//   libfuzzer TARGET                  SharpFuzz's libFuzzer entry (for libfuzzer-dotnet)
//   replay TARGET FILE...             runs inputs once and prints what happened
//   capture                           records kcat's requests and the Sim's responses into tools/Fuzz/corpus
string command = args.Length > 0 ? args[0] : "list";
switch (command)
{
    case "list":
        foreach (FuzzTarget target in FuzzTargets.All) Console.WriteLine(target.Name);
        return 0;
    case "run" when args.Length >= 2:
        double seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 60;
        int randomSeed = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        IEnumerable<FuzzTarget> targets = args[1] == "all" ? FuzzTargets.All : [FuzzTargets.Find(args[1])];
        int findings = 0;
        foreach (FuzzTarget target in targets)
        {
            FuzzReport report = InProcessFuzzer.Run(target, Corpus.Load(target), randomSeed, long.MaxValue, TimeSpan.FromSeconds(seconds), SaveFinding(target));
            Console.WriteLine(report);
            findings += report.Findings.Count;
        }
        return findings == 0 ? 0 : 1;
    case "seeds" when args.Length == 3:
        Directory.CreateDirectory(args[2]);
        foreach (byte[] seed in Corpus.Load(FuzzTargets.Find(args[1])).DistinctBy(Convert.ToHexString))
            File.WriteAllBytes(Path.Combine(args[2], Hash(seed)), seed);
        return 0;
    case "afl" when args.Length == 2:
        // Instrumented code may only run once SharpFuzz has mapped AFL's shared memory: look the target up inside.
        FuzzTarget? aflTarget = null;
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            ThrowOnViolation(aflTarget ??= FuzzTargets.Find(args[1]), copy.ToArray());
        });
        return 0;
    case "libfuzzer" when args.Length == 2:
        FuzzTarget? libFuzzerTarget = null;
        SharpFuzz.Fuzzer.LibFuzzer.Run(span => ThrowOnViolation(libFuzzerTarget ??= FuzzTargets.Find(args[1]), span.ToArray()));
        return 0;
    case "replay" when args.Length >= 3:
        FuzzTarget replayTarget = FuzzTargets.Find(args[1]);
        foreach (string file in args.Skip(2))
        {
            Execution execution = FuzzContract.Execute(replayTarget, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: {(execution.Violation is { } v ? "VIOLATION " + v : execution.Accepted ? "accepted" : "rejected")}");
        }
        return 0;
    case "capture":
        await KcatCapture.RunAsync(Corpus.Root);
        return 0;
    default:
        Console.Error.WriteLine("usage: list | run TARGET|all [SECONDS] [SEED] | seeds TARGET DIR | afl TARGET | libfuzzer TARGET | replay TARGET FILE... | capture");
        return 2;
}

// A violation must crash the process for AFL++/libFuzzer to record the input.
static void ThrowOnViolation(FuzzTarget target, byte[] input)
{
    if (FuzzContract.Execute(target, input).Violation is { } violation)
        throw new InvalidOperationException($"{target.Name} broke the fuzzing contract", violation);
}

static Action<Finding> SaveFinding(FuzzTarget target) => finding =>
{
    string directory = Path.Combine(Corpus.Root, "tools", "Fuzz", "findings", target.Name);
    Directory.CreateDirectory(directory);
    string path = Path.Combine(directory, Hash(finding.Input));
    File.WriteAllBytes(path, finding.Input);
    Console.WriteLine($"FINDING {path}\n{finding.Violation}");
};

static string Hash(byte[] input) => Convert.ToHexStringLower(SHA256.HashData(input))[..16];
