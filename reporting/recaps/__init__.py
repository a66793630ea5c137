"""Recaps sent up the chain: PMKS, PSKS/SDM with TKSK coverage, activities and completeness, for any wilayah and
period, as an HTML preview, an official PDF, XLSX and CSV — one generator per recap, one column map per table.

``service`` is the entry point (``render_recap``, ``build_document``; ``reporting.tasks`` records the files);
``generators`` arrange the roll-up selectors' figures into sections; ``columns`` describes the tables; ``smallcells``
withholds small figures for read-only viewers; ``pdf``, ``xlsx`` and ``csv`` print a document.
"""
