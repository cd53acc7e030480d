using System.Globalization;
using MiniGrad.Data;

namespace MiniGrad.Tests;

/// <summary>The CSV reader: header, numeric features, a label column by name or index, classes as indices or names, regression targets, and the errors.</summary>
public class CsvTests
{
    private const string Flowers = """
        length, width ,species
        5.1,3.5,setosa
        7.0,3.2,versicolor

        6.3,3.3,virginica
        4.9,3.0,setosa
        """;

    [Fact]
    public void Class_names_become_indices_in_ordinal_order_and_the_mapping_is_returned()
    {
        var data = Csv.ReadClassification<float>(new StringReader(Flowers), "species");

        Assert.Equal(["setosa", "versicolor", "virginica"], data.Classes);
        Assert.Equal([0, 1, 2, 0], data.Labels);
        Assert.Equal(["length", "width"], data.FeatureNames); // spaces around names trimmed; the blank line skipped
        Assert.Equal("4x2", data.Features.Shape);
        Assert.Equal(7.0f, data.Features[1, 0]);
        Assert.Equal(3.0f, data.Features[3, 1]);
    }

    [Fact]
    public void The_label_column_can_be_chosen_by_index_and_anywhere_in_the_row()
    {
        var data = Csv.ReadClassification<double>(new StringReader("class,a,b\n2,1.5,-2\n0,0.25,1e3\n"), labelColumn: 0);

        Assert.Equal([2, 0], data.Labels); // whole numbers are class indices
        Assert.Equal(["0", "1", "2"], data.Classes);
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal(1000.0, data.Features[1, 1]);
        Assert.Equal(-2.0, data.Features[0, 1]);
    }

    [Fact]
    public void A_regression_target_is_read_as_numbers()
    {
        var data = Csv.ReadRegression<double>(new StringReader("x1,price,x2\n1,10.5,2\n3,-4,4\n"), "price");

        Assert.Equal("price", data.TargetName);
        Assert.Equal("2x1", data.Targets.Shape);
        Assert.Equal([10.5, -4.0], data.Targets.AsSpan().ToArray());
        Assert.Equal([1.0, 2.0, 3.0, 4.0], data.Features.AsSpan().ToArray());
        Assert.Equal(["x1", "x2"], data.FeatureNames);
    }

    [Fact]
    public void Quoted_fields_may_hold_commas_and_quotes()
    {
        var data = Csv.ReadClassification<float>(new StringReader("\"size, cm\",label\n\"1.5\",\"big, \"\"red\"\"\"\n2,small\n"), "label");

        Assert.Equal(["size, cm"], data.FeatureNames);
        Assert.Equal(["big, \"red\"", "small"], data.Classes);
        Assert.Equal([1.5f, 2f], data.Features.AsSpan().ToArray());
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture_whatever_the_machine_uses()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // a decimal comma
            var data = Csv.ReadRegression<double>(new StringReader("a,y\n1.25,2.5\n"), "y");
            Assert.Equal(1.25, data.Features[0, 0]);
            Assert.Equal(2.5, data.Targets[0, 0]);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_bad_cell_names_its_line_its_column_and_the_text_found()
    {
        var error = Assert.Throws<FormatException>(() => Csv.ReadClassification<float>(new StringReader("a,b,label\n1,2,x\n3,four,y\n"), "label"));

        Assert.Equal("CSV line 3, column 2 ('b'): 'four' is not a number.", error.Message);
    }

    [Fact]
    public void A_bad_target_is_a_format_error_too()
    {
        var error = Assert.Throws<FormatException>(() => Csv.ReadRegression<float>(new StringReader("a,y\n1,2\n\n3,n/a\n"), "y"));

        Assert.Contains("line 4, column 2 ('y'): 'n/a'", error.Message);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_is_named()
    {
        var error = Assert.Throws<FormatException>(() => Csv.ReadClassification<float>(new StringReader("a,b,label\n1,2,x\n3,y\n"), "label"));

        Assert.Contains("line 3", error.Message);
        Assert.Contains("2 fields", error.Message);
    }

    [Fact]
    public void An_unclosed_quote_and_an_empty_text_are_format_errors()
    {
        Assert.Contains("line 2", Assert.Throws<FormatException>(() => Csv.ReadClassification<float>(new StringReader("a,label\n\"1,x\n"), "label")).Message);
        Assert.Contains("header", Assert.Throws<FormatException>(() => Csv.ReadClassification<float>(new StringReader(""), "label")).Message);
    }

    [Fact]
    public void An_unknown_label_column_lists_the_columns_there_are()
    {
        var byName = Assert.Throws<ArgumentException>(() => Csv.ReadClassification<float>(new StringReader(Flowers), "Species"));
        Assert.Contains("'length', 'width', 'species'", byName.Message);

        var byIndex = Assert.Throws<ArgumentOutOfRangeException>(() => Csv.ReadClassification<float>(new StringReader(Flowers), labelColumn: 3));
        Assert.Contains("0 to 2", byIndex.Message);
    }

    [Fact]
    public void The_shipped_iris_file_reads_as_150_flowers_of_three_species()
    {
        var iris = Csv.ReadClassification<float>(TestData.Path("iris.csv"), "species");

        Assert.Equal("150x4", iris.Features.Shape);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.Classes);
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(50, iris.Labels.Count(l => l == c)));
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], iris.FeatureNames);
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], iris.Features.AsSpan()[..4].ToArray()); // Fisher's first flower
    }
}
