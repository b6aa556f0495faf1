Feature: Near home — taken in at the village, reviewed by the city, handed back at the village
  The social security card (社会保障卡居民服务"一卡通") is taken in by the agent of the Jingshan
  Village point; the city bureau makes the card; it comes back to the village window, where the
  applicant collects and activates it: one trip. The applicant may choose another point instead.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-11-02
    And an applicant "周阿婆"

  Scenario: The card returns to the village point that took the case in
    When the applicant opens a case of "social-security-card" through an agent at "jingshan-village-agent"
    And the applicant fills in the form:
      | field                                      | value    |
      | Card situation                             | 首次申领 |
      | Enable transport, culture and tourism uses | no       |
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    Then the results wait at "jingshan-village-agent"
    And the window queue of "jingshan-village-agent" holds the case
    When the clerk of "jingshan-village-agent" hands the results over at the window
    Then the case is "delivered"
    And the applicant's visits were at "jingshan-village-agent"
    And the window queue of "jingshan-village-agent" does not hold the case

  Scenario: The applicant collects the card at a sub-district centre instead
    When the applicant opens a case of "social-security-card" through an agent at "jingshan-village-agent"
    And the applicant chooses "hubin-service-centre" as the pickup point
    And the applicant fills in the form:
      | field                                      | value    |
      | Card situation                             | 首次申领 |
      | Enable transport, culture and tourism uses | no       |
    And the applicant submits a complete application
    And the clerk accepts the case
    And every item is approved
    Then the results wait at "hubin-service-centre"
    And the window queue of "jingshan-village-agent" does not hold the case
    When the clerk of "hubin-service-centre" hands the results over at the window
    Then the case is "delivered"
    And the applicant's visits were at "hubin-service-centre"
