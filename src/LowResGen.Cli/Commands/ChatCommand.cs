using System.CommandLine;
using LowResGen.Llm.Embedded;
using LowResGen.Llm.Models;
using Microsoft.Extensions.AI;

namespace LowResGen.Cli.Commands;

/// <summary><c>lowresgen chat --model ... "prompt"</c>: one-shot answers from any model: embedded GGUF or served.</summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var prompt = new Argument<string?>("prompt") { Description = "The message; without it, each line of standard input is one message.", Arity = ArgumentArity.ZeroOrOne };
        var llm = new LlmOptions();
        llm.Model.Required = false;
        llm.Model.DefaultValueFactory = _ => DefaultModels.Quickstart.CacheName;
        var system = new Option<string?>("--system") { Description = "System message." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest answer in tokens.", DefaultValueFactory = _ => 512 };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (0 = greedy)." };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling." };
        var context = new Option<int?>("--context") { Description = "Embedded models: context window in tokens (default: the model's, at most 4096)." };
        var threads = new Option<int?>("--threads") { Description = "Embedded models: CPU threads (default: physical cores)." };
        var cacheDir = ModelsCommand.CacheDirectoryOption();
        var command = new Command("chat", "Ask a model (embedded GGUF, OpenAI-compatible server or llm.toml name) and print its answer.")
        {
            prompt, system, maxTokens, temperature, seed, context, threads, cacheDir,
        };
        llm.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) => await CliErrors.GuardAsync(parseResult, async () =>
        {
            var factory = llm.CreateFactory(parseResult,
                embeddedModel: path => new EmbeddedModelOptions(path, parseResult.GetValue(context), ParallelSequences: 1, parseResult.GetValue(threads)),
                modelCacheDirectory: parseResult.GetValue(cacheDir));
            using var client = factory.Create(parseResult.GetValue(llm.Model)!);
            var options = new ChatOptions
            {
                MaxOutputTokens = parseResult.GetValue(maxTokens),
                Temperature = parseResult.GetValue(temperature),
                Seed = parseResult.GetValue(seed),
            };
            var systemMessage = parseResult.GetValue(system);
            async Task AnswerAsync(string text)
            {
                List<ChatMessage> messages = systemMessage is null ? [] : [new ChatMessage(ChatRole.System, systemMessage)];
                messages.Add(new ChatMessage(ChatRole.User, text));
                var response = await client.GetResponseAsync(messages, options, cancellationToken);
                await parseResult.InvocationConfiguration.Output.WriteLineAsync(response.Text);
            }

            if (parseResult.GetValue(prompt) is { } single)
            {
                await AnswerAsync(single);
                return;
            }

            while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > 0)
                {
                    await AnswerAsync(line);
                }
            }
        }));
        return command;
    }
}
