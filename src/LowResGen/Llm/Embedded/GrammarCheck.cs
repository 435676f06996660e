using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LLama;
using LLama.Native;

namespace LowResGen.Llm.Embedded;

/// <summary>
/// Checks that llama.cpp accepts a GBNF grammar before a request is queued. On a grammar it cannot parse (a syntax
/// error, no <c>root</c> rule, a repetition count over its limit) llama.cpp returns no sampler, LLamaSharp adds that
/// null to the sampler chain unchecked, and the first sampled token crashes the whole process. Checking on the
/// caller's thread turns that into an <see cref="ArgumentException"/> for the one request. Accepted grammars are
/// remembered, so a classifier's choice grammar is parsed once, not once per request.
/// </summary>
internal sealed class GrammarCheck
{
    private readonly IntPtr _vocabulary;
    private readonly InitGrammar _initGrammar;
    private readonly FreeSampler _freeSampler;
    private readonly ConcurrentDictionary<string, bool> _accepted = new(StringComparer.Ordinal);

    public GrammarCheck(LLamaWeights weights)
    {
        // The same libllama that LLamaSharp loaded: its resolver answers for its own assembly.
        var library = NativeLibrary.Load("llama", typeof(NativeApi).Assembly, null);
        var getVocabulary = Marshal.GetDelegateForFunctionPointer<GetVocabulary>(NativeLibrary.GetExport(library, "llama_model_get_vocab"));
        _initGrammar = Marshal.GetDelegateForFunctionPointer<InitGrammar>(NativeLibrary.GetExport(library, "llama_sampler_init_grammar"));
        _freeSampler = Marshal.GetDelegateForFunctionPointer<FreeSampler>(NativeLibrary.GetExport(library, "llama_sampler_free"));
        _vocabulary = getVocabulary(weights.NativeHandle.DangerousGetHandle());
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetVocabulary(IntPtr model);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr InitGrammar(IntPtr vocabulary, [MarshalAs(UnmanagedType.LPUTF8Str)] string grammar, [MarshalAs(UnmanagedType.LPUTF8Str)] string root);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FreeSampler(IntPtr sampler);

    /// <summary>Throws <see cref="ArgumentException"/> when llama.cpp cannot build a sampler from <paramref name="grammar"/>.</summary>
    public void EnsureValid(string grammar)
    {
        if (_accepted.ContainsKey(grammar))
        {
            return;
        }

        var sampler = _initGrammar(_vocabulary, grammar, "root");
        if (sampler == IntPtr.Zero)
        {
            var preview = grammar.Length <= 200 ? grammar : grammar[..200] + "...";
            throw new ArgumentException(
                "llama.cpp rejected the grammar (a syntax error, no 'root' rule, or a repetition count above its limit of 2000; " +
                $"its parser's message is on standard error): {preview}", nameof(grammar));
        }

        _freeSampler(sampler);
        _accepted.TryAdd(grammar, true);
    }
}
