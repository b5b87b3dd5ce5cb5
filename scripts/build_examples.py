"""Writes the example corpus's DOCX interview and PDF policy brief.

The files are committed; this script records how they were made and rebuilds them
(`python scripts/build_examples.py`, needs the `dev` extra for fpdf2)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "examples" / "corpus"

INTERVIEW = [
    ("Interviewer", "How would you describe transport cooperation between Uzbekistan and China today?"),
    ("Official", "It is one of our priorities. The China-Kyrgyzstan-Uzbekistan railway will give "
                 "Uzbekistan its shortest route to Chinese ports and markets. We expect it to cut "
                 "delivery times by a week and to lower costs for our exporters."),
    ("Interviewer", "Some critics say the financing could create a debt burden. What is your view?"),
    ("Official", "We take that seriously. The financing model is shared between the three "
                 "countries and international lenders, and our ministry insists on transparent "
                 "terms. We do not want to repeat the mistakes of other countries."),
    ("Interviewer", "What role do Uzbek companies play in these projects?"),
    ("Official", "For the Angren-Pap line the tunnel was built by a Chinese company, and local "
                 "firms learned a great deal. For the new railway we want a larger share of "
                 "subcontracts and training for Uzbek engineers to be written into the contracts."),
]

BRIEF = [
    "Policy brief: The Digital Silk Road in Central Asia",
    "Summary. Cross-border e-commerce between China and the five Central Asian states has grown "
    "rapidly since 2018. Digital payment systems, logistics platforms and cloud services supplied "
    "by Chinese firms now reach customers in Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and "
    "Uzbekistan. This brief reviews the opportunities and the risks for policy makers.",
    "Opportunities. Internet access and ICT infrastructure have improved across the region. "
    "Customs clearance for small parcels at Khorgos and Alashankou now takes hours instead of "
    "days. Small and medium enterprises in Almaty and Tashkent use Chinese platforms to find "
    "buyers, and digital trade could raise regional exports of food and textiles.",
    "Risks. Data protection rules differ between countries, and dependence on a single provider "
    "of digital infrastructure raises questions of security and sovereignty. Local firms report "
    "that logistics costs remain high and that returns and payments across the border are slow.",
    "Recommendations. Governments should harmonise customs data, invest in education and "
    "research on the digital economy, support training for local logistics firms, and publish "
    "the terms of infrastructure loans so that citizens can judge their costs and benefits.",
]


def build_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Interview UZ-02 - transport official, Tashkent"
    document.sections[0].header.paragraphs[0].text = "stancemap example corpus - interview UZ-02"
    document.add_heading("Interview UZ-02 - transport official, Tashkent", level=1)
    table = document.add_table(rows=2, cols=2)
    for row, (key, value) in zip(table.rows, [("Date", "22 April 2024"), ("Place", "Tashkent")]):
        row.cells[0].text, row.cells[1].text = key, value
    for speaker, text in INTERVIEW:
        document.add_paragraph(f"{speaker}: {text}")
    document.save(path)


def build_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("The Digital Silk Road in Central Asia")
    pdf.set_font("Helvetica", size=12)
    for index, paragraph in enumerate(BRIEF):
        if index in (0, 3):
            pdf.add_page()
        pdf.multi_cell(0, 7, paragraph)
        pdf.ln(5)
    pdf.output(str(path))


if __name__ == "__main__":
    build_docx(HERE / "interviews" / "uz_tashkent_transport_official.docx")
    build_pdf(HERE / "policy" / "digital_silk_road_brief.pdf")
