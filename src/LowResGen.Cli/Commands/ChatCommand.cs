using System.CommandLine;
using LowResGen.Llm.Embedded;
using LowResGen.Llm.Models;
using Microsoft.Extensions.AI;

namespace LowResGen.Cli.Commands;

/// <summary><c>lowresgen chat --model ... "prompt"</c>: one-shot answers from an embedded GGUF model.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string?>("prompt") { Description = "The message; without it, each line of standard input is one message.", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model", "-m")
        {
            Description = "GGUF file path or cache name (owner/repo/file.gguf or file.gguf).",
            DefaultValueFactory = _ => DefaultModels.Quickstart.CacheName,
        };
        var system = new Option<string?>("--system") { Description = "System message." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest answer in tokens.", DefaultValueFactory = _ => 512 };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (0 = greedy)." };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling." };
        var context = new Option<int?>("--context") { Description = "Context window in tokens (default: the model's, at most 4096)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: physical cores)." };
        var cacheDir = ModelsCommand.CacheDirectoryOption();
        var command = new Command("chat", "Ask an embedded GGUF model (llama.cpp, in-process) and print its answer.")
        {
            prompt, model, system, maxTokens, temperature, seed, context, threads, cacheDir,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var cache = new ModelCache(parseResult.GetValue(cacheDir));
            var reference = parseResult.GetValue(model)!;
            var path = cache.Resolve(reference);
            if (path is null)
            {
                error.WriteLine($"Model '{reference}' is neither a file nor in the model cache ({cache.Directory}).");
                error.WriteLine(reference == DefaultModels.Quickstart.CacheName
                    ? "Download it with: lowresgen models pull quickstart"
                    : "Download it with: lowresgen models pull <owner/repo> <file.gguf>");
                return 1;
            }

            var options = new ChatOptions
            {
                MaxOutputTokens = parseResult.GetValue(maxTokens),
                Temperature = parseResult.GetValue(temperature),
                Seed = parseResult.GetValue(seed),
            };
            EmbeddedChatClient client;
            try
            {
                client = EmbeddedChatClient.Load(new EmbeddedModelOptions(path, parseResult.GetValue(context), ParallelSequences: 1, parseResult.GetValue(threads)));
            }
            catch (LLama.Exceptions.RuntimeError e)
            {
                error.WriteLine($"Could not load {path}: {e.Message}");
                return 1;
            }

            using var loaded = client;
            var systemMessage = parseResult.GetValue(system);
            async Task AnswerAsync(string text)
            {
                List<ChatMessage> messages = systemMessage is null ? [] : [new ChatMessage(ChatRole.System, systemMessage)];
                messages.Add(new ChatMessage(ChatRole.User, text));
                var response = await client.GetResponseAsync(messages, options, cancellationToken);
                output.WriteLine(response.Text);
            }

            try
            {
                if (parseResult.GetValue(prompt) is { } single)
                {
                    await AnswerAsync(single);
                    return 0;
                }

                while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Length > 0)
                    {
                        await AnswerAsync(line);
                    }
                }

                return 0;
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"chat failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
