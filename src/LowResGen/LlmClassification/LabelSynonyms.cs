using LowResGen.Data;

namespace LowResGen.LlmClassification;

/// <summary>
/// Words an LLM commonly uses instead of a built-in task's label names ("technology" for science/technology,
/// "transportation" for travel). Only phrases that point at one label of the task are listed, so a synonym never
/// makes an answer ambiguous.
/// </summary>
public static class LabelSynonyms
{
    /// <summary>Synonyms for the labels of a built-in task (matched by task name); empty for any other task.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> For(TaskDefinition task) =>
        task.Name switch
        {
            "sib200" => Sib200,
            "massive10" => Massive10,
            "sentiment" => Sentiment,
            _ => Empty,
        };

    private static readonly Dictionary<string, IReadOnlyList<string>> Empty = [];

    private static readonly Dictionary<string, IReadOnlyList<string>> Sib200 = new(StringComparer.Ordinal)
    {
        ["science/technology"] = ["science", "technology", "tech", "scientific", "technological", "sci-tech", "science and tech"],
        ["travel"] = ["travelling", "traveling", "tourism", "tourist", "transportation", "transport"],
        ["politics"] = ["political", "government", "elections"],
        ["sports"] = ["sport", "athletics", "sporting"],
        ["health"] = ["medicine", "medical", "healthcare", "health care"],
        ["entertainment"] = ["arts", "culture", "music", "movies", "film", "celebrity", "celebrities"],
        ["geography"] = ["geographical", "geographic"],
    };

    // The ten MASSIVE intents have distinct scenarios, so the scenario words identify the intent.
    private static readonly Dictionary<string, IReadOnlyList<string>> Massive10 = new(StringComparer.Ordinal)
    {
        ["alarm_query"] = ["alarm", "alarms"],
        ["audio_volume_down"] = ["volume down", "lower the volume", "turn down the volume", "volume"],
        ["calendar_remove"] = ["calendar", "remove event", "delete event"],
        ["cooking_recipe"] = ["recipe", "recipes", "cooking"],
        ["datetime_convert"] = ["time conversion", "convert time", "time zone", "datetime"],
        ["email_sendemail"] = ["send email", "send an email", "email"],
        ["play_audiobook"] = ["audiobook", "audio book"],
        ["recommendation_movies"] = ["movie recommendation", "movies", "movie", "film"],
        ["transport_ticket"] = ["ticket", "tickets", "transport"],
        ["weather_query"] = ["weather", "forecast"],
    };

    private static readonly Dictionary<string, IReadOnlyList<string>> Sentiment = new(StringComparer.Ordinal)
    {
        ["negative"] = ["neg"],
        ["positive"] = ["pos"],
    };
}
