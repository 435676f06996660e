using LowResGen.Data;

namespace LowResGen.Tests.Curation;

internal static class CurationTestData
{
    public static Example Make(int id, string text, string label, string language = "cy") =>
        new($"g{id}", text, label, language, Splits.Generated, "test");

    /// <summary>Welsh alarm and weather requests: clearly separable by their words, with known defects added by the tests.</summary>
    public static List<Example> WelshAlarmsAndWeather()
    {
        string[] alarms =
        [
            "Gosod larwm ar gyfer saith o'r gloch bore yfory",
            "Pa larymau sydd gen i wedi eu gosod ar gyfer yfory",
            "Deffra fi am chwech o'r gloch gyda larwm os gwelwch yn dda",
            "Oes gen i larwm ar gyfer bore dydd Llun",
            "Dangos fy holl larymau ar gyfer yr wythnos hon",
            "Faint o larymau sydd gen i ar gyfer y penwythnos",
            "Pryd mae fy larwm nesaf yn canu bore fory",
            "Rhestra'r larymau a osodais ar gyfer dydd Gwener",
        ];
        string[] weather =
        [
            "Sut fydd y tywydd yng Nghaerdydd yfory",
            "Ydy hi'n mynd i fwrw glaw yn Abertawe heddiw",
            "Beth yw rhagolygon y tywydd ar gyfer y penwythnos",
            "Oes angen ymbarél arna i heddiw oherwydd y glaw",
            "Pa mor gynnes fydd hi ym Mangor brynhawn yfory",
            "Dywed wrthyf y tymheredd yn Aberystwyth nawr",
            "A fydd eira ar y mynyddoedd yr wythnos nesaf",
            "Ydy'r haul yn mynd i dywynnu dros y Sul yng Nghonwy",
        ];
        var id = 0;
        return
        [
            .. alarms.Select(t => Make(id++, t, "alarm_query")),
            .. weather.Select(t => Make(id++, t, "weather_query")),
        ];
    }
}
