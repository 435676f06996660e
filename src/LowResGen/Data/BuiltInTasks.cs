namespace LowResGen.Data;

/// <summary>The task definitions that ship with LowResGen: massive10, massive60, sib200, sentiment and sarcasm.</summary>
public static class BuiltInTasks
{
    public static TaskDefinition Massive10 { get; } = new(
        "massive10",
        ["alarm_query", "audio_volume_down", "calendar_remove", "cooking_recipe", "datetime_convert",
         "email_sendemail", "play_audiobook", "recommendation_movies", "transport_ticket", "weather_query"],
        Massive60Descriptions(),
        "intent");

    public static TaskDefinition Massive60 { get; } = new(
        "massive60",
        [.. Massive60Descriptions().Keys.Order(StringComparer.Ordinal)],
        Massive60Descriptions(),
        "intent");

    public static TaskDefinition Sib200 { get; } = new(
        "sib200",
        ["science/technology", "travel", "politics", "sports", "health", "entertainment", "geography"],
        new Dictionary<string, string>
        {
            ["science/technology"] = "A sentence about science, research, nature, computing or technical inventions.",
            ["travel"] = "A sentence about travelling: journeys, tourism, transport, visas or places to visit.",
            ["politics"] = "A sentence about government, elections, laws, politicians or international relations.",
            ["sports"] = "A sentence about sport: athletes, games, competitions, results or training.",
            ["health"] = "A sentence about health: illness, medicine, the body, diet or medical care.",
            ["entertainment"] = "A sentence about entertainment: music, film, television, festivals, games or celebrities.",
            ["geography"] = "A sentence about geography: countries, landscapes, climate, rivers, mountains or populations.",
        },
        "topic");

    public static TaskDefinition Sentiment { get; } = new(
        "sentiment",
        ["negative", "positive"],
        new Dictionary<string, string>
        {
            ["negative"] = "A text whose author expresses dissatisfaction, criticism, disappointment or another negative opinion.",
            ["positive"] = "A text whose author expresses satisfaction, praise, enthusiasm or another positive opinion.",
        },
        "sentiment");

    /// <summary>
    /// The fourth task of the reference study (Pecher et al., 2026): binary sarcasm detection. Its public data stores the
    /// labels as 0 and 1; prompts show them as "not sarcastic" and "sarcastic".
    /// </summary>
    public static TaskDefinition Sarcasm { get; } = new(
        "sarcasm",
        ["0", "1"],
        new Dictionary<string, string>
        {
            ["0"] = "A text that means what it says: a plain statement, headline, question or opinion, however negative, with no ironic twist.",
            ["1"] = "A text that says the opposite of what its author means, mocking or exaggerating for effect, such as praise that is really criticism.",
        },
        "tone")
    {
        DisplayNames = new Dictionary<string, string> { ["0"] = "not sarcastic", ["1"] = "sarcastic" },
        MinLength = 10,
        MaxLength = 300,
    };

    public static IReadOnlyList<TaskDefinition> All { get; } = [Massive10, Massive60, Sib200, Sentiment, Sarcasm];

    /// <summary>Finds a built-in task by name; "intent" and "topic" are accepted as the names kinit-synthetic uses.</summary>
    public static TaskDefinition? Find(string name) => name.Trim().ToLowerInvariant() switch
    {
        "massive10" or "intent" => Massive10,
        "massive60" or "massive" => Massive60,
        "sib200" or "topic" => Sib200,
        "sentiment" => Sentiment,
        "sarcasm" => Sarcasm,
        _ => null,
    };


    private static Dictionary<string, string> Massive60Descriptions() => new()
    {
        ["alarm_query"] = "The user asks which alarms are set or when an alarm will ring.",
        ["alarm_remove"] = "The user wants to delete or cancel an alarm.",
        ["alarm_set"] = "The user wants to set a new alarm or wake-up call.",
        ["audio_volume_down"] = "The user wants the device to play more quietly or lower the volume.",
        ["audio_volume_mute"] = "The user wants the device to be silent or muted.",
        ["audio_volume_other"] = "The user asks about or changes audio settings other than louder, quieter or mute.",
        ["audio_volume_up"] = "The user wants the device to play louder or raise the volume.",
        ["calendar_query"] = "The user asks what is in their calendar: meetings, events or appointments.",
        ["calendar_remove"] = "The user wants to delete or cancel an event, meeting or reminder in their calendar.",
        ["calendar_set"] = "The user wants to add an event, meeting or reminder to their calendar.",
        ["cooking_query"] = "The user asks a general cooking question such as a temperature, time or substitute.",
        ["cooking_recipe"] = "The user asks for a recipe or for how to cook or prepare a dish.",
        ["datetime_convert"] = "The user wants a time converted between time zones or formats.",
        ["datetime_query"] = "The user asks for the current date, time or day of the week.",
        ["email_addcontact"] = "The user wants to save a new email contact or address.",
        ["email_query"] = "The user asks about their emails, for example whether new mail has arrived.",
        ["email_querycontact"] = "The user asks for details of one of their contacts.",
        ["email_sendemail"] = "The user wants to write, reply to or send an email to someone.",
        ["general_greet"] = "The user greets the assistant or makes small talk.",
        ["general_joke"] = "The user asks the assistant to tell a joke.",
        ["general_quirky"] = "The user says something playful or odd that fits no practical request.",
        ["iot_cleaning"] = "The user wants a robot vacuum or other cleaning device started or stopped.",
        ["iot_coffee"] = "The user wants the coffee machine to make a coffee.",
        ["iot_hue_lightchange"] = "The user wants the colour or scene of the smart lights changed.",
        ["iot_hue_lightdim"] = "The user wants the smart lights dimmed.",
        ["iot_hue_lightoff"] = "The user wants the smart lights switched off.",
        ["iot_hue_lighton"] = "The user wants the smart lights switched on.",
        ["iot_hue_lightup"] = "The user wants the smart lights brighter.",
        ["iot_wemo_off"] = "The user wants a smart plug or connected appliance switched off.",
        ["iot_wemo_on"] = "The user wants a smart plug or connected appliance switched on.",
        ["lists_createoradd"] = "The user wants to create a list or add an item to a list.",
        ["lists_query"] = "The user asks what is on one of their lists.",
        ["lists_remove"] = "The user wants an item or a whole list removed.",
        ["music_dislikeness"] = "The user says they dislike a song, artist or kind of music.",
        ["music_likeness"] = "The user says they like a song, artist or kind of music.",
        ["music_query"] = "The user asks which song or artist is playing or about music facts.",
        ["music_settings"] = "The user changes how music plays, such as shuffle or repeat.",
        ["news_query"] = "The user asks for the news or headlines on a topic.",
        ["play_audiobook"] = "The user wants an audiobook started or resumed.",
        ["play_game"] = "The user wants to play a game with the assistant.",
        ["play_music"] = "The user wants a song, artist, album or genre of music played.",
        ["play_podcasts"] = "The user wants a podcast or episode played.",
        ["play_radio"] = "The user wants a radio station played.",
        ["qa_currency"] = "The user asks for an exchange rate or a currency conversion.",
        ["qa_definition"] = "The user asks for the meaning or definition of a word.",
        ["qa_factoid"] = "The user asks a general knowledge question about a fact.",
        ["qa_maths"] = "The user asks for a calculation.",
        ["qa_stock"] = "The user asks for a share price or stock market information.",
        ["recommendation_events"] = "The user asks for suggestions of events or things to do.",
        ["recommendation_locations"] = "The user asks for suggestions of places such as shops or restaurants.",
        ["recommendation_movies"] = "The user asks for film suggestions or what to watch.",
        ["social_post"] = "The user wants to post something on social media or complain to a company.",
        ["social_query"] = "The user asks for updates from social media or friends' posts.",
        ["takeaway_order"] = "The user wants to order food for delivery or collection.",
        ["takeaway_query"] = "The user asks about a takeaway order or which places deliver.",
        ["transport_query"] = "The user asks about travel routes, timetables or journey times.",
        ["transport_taxi"] = "The user wants a taxi booked or asks about one.",
        ["transport_ticket"] = "The user wants to book or buy a ticket for a train, bus, plane or other transport.",
        ["transport_traffic"] = "The user asks about traffic conditions on the roads.",
        ["weather_query"] = "The user asks about the weather or forecast.",
    };
}
